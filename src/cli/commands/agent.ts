// `porchlight agent --headless`: the agent as a daemon for servers and kiosks
// (no desktop session). The desktop tray app is the Electron shell, started
// with `npm start` or the installed app, not from here.
import { terminalText } from '../../protocol/text-policy.js';
import { parseArgs } from '../parse-args.js';
import { defaultConfigPath, readAgentConfig } from '../../core/headless/agent-config.js';
import { configRelayCa } from '../../core/headless/config-relay-ca.js';
import { caNeedsWss } from '../../core/connection/extra-ca.js';
import { nodeNotifierDesktop } from '../../core/headless/node-notifier-desktop.js';
import { runHeadlessAgent } from '../../core/headless/run-headless-agent.js';
import { managedPolicySources } from '../../core/policy/sources/platform-sources.js';
import { UsageError, type Command } from '../command.js';
import { readCaFile, withExtraCa } from '../read-ca-file.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { packageVersion } from '../version.js';

/** --config, else $PORCHLIGHT_AGENT_CONFIG, else the per-OS path the desktop app reads too. */
export function headlessConfigPath(given: string | undefined, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  return given ?? env.PORCHLIGHT_AGENT_CONFIG ?? defaultConfigPath(platform);
}

const HELP = `Usage: porchlight agent --headless [--config FILE] [--data DIR] [--ca FILE]

Runs the consent agent without a desktop (servers, kiosks). Nobody can answer
a prompt, so attended requests decline with outcome no-user-present; unattended
requests run only with a valid approval token (or an emergency justification
where policy allows it), and any logged-in desktop user is notified. One line
per event goes to stderr. SIGINT/SIGTERM end any live session (agent-exit) and
stop cleanly.

  --headless  required: run as a daemon (the desktop app is the tray app)
  --config    JSON config (default $PORCHLIGHT_AGENT_CONFIG or ${defaultConfigPath(process.platform)}):
                { "deviceId": "srv-17",
                  "enrollmentToken": "<from porchlight relay enroll-device>",
                  "dataDir": "/var/lib/porchlight",
                  "relayCaFile": "/etc/porchlight/relay-ca.pem",
                  "policy": { "relayUrl": "wss://relay.example:7443",
                              "relayPublicKey": "<base64url>", "approvalsPublicKey": "<base64url>",
                              "unattendedAllowed": true, "unattendedGroups": ["helpdesk"] } }
              Effective policy: defaults < this file's policy < managed policy
              (/etc/porchlight/policy.json, the Windows registry, macOS profiles).
  --data      data dir (device key, replay cache, audit log); overrides the config
  --ca        PEM file of a private CA to trust for a wss:// relay (added to the
              system roots; no NODE_EXTRA_CA_CERTS needed); overrides the config's
              relayCaFile; with a ws:// relayUrl in the config it is a usage error

Exit codes: 0 stopped cleanly, 1 config (or its relayCaFile) unreadable or
invalid, 2 usage.
`;

const DESKTOP_HINT = `porchlight agent: the desktop agent is the tray app. Start it with 'npm start'
(in a checkout) or the installed Porchlight app. For servers and kiosks without
a desktop, run 'porchlight agent --headless --config FILE' (see --help).
`;

const command: Command = {
  name: 'agent',
  summary: 'run the agent (headless daemon mode)',
  async run(argv, ctx) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { headless: { type: 'boolean' }, config: { type: 'string' }, data: { type: 'string' }, ca: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      ctx.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (!values.headless) {
      ctx.stderr.write(DESKTOP_HINT);
      return EXIT.usage;
    }
    const ca = values.ca === undefined ? undefined : readCaFile(values.ca);
    const configPath = headlessConfigPath(values.config, ctx.env);
    const log = (line: string) => ctx.stderr.write(`${new Date().toISOString()} ${terminalText(line)}\n`);
    const read = readAgentConfig(configPath);
    if (!read.ok) throw new CliError(read.code, read.detail, EXIT.other);
    // The relay URL is known only now; a CA for a plain ws:// relay means the setup is not what the admin thinks.
    const relayUrl = read.config.policy?.relayUrl;
    if (ca !== undefined && caNeedsWss(relayUrl)) throw new UsageError(`--ca only applies to a wss:// relay (the config's relayUrl is ${relayUrl})`);
    // --ca overrides the config's relayCaFile (which is then not read at all).
    let pem = ca;
    if (pem === undefined) {
      const fromConfig = configRelayCa(read.config, configPath);
      if (!fromConfig.ok) throw new CliError(fromConfig.code, fromConfig.detail, EXIT.other);
      pem = fromConfig.pem;
    }
    await runHeadlessAgent({
      config: read.config,
      configPath,
      ...(values.data ? { dataDir: values.data } : {}),
      managedSources: managedPolicySources(process.platform),
      notifier: nodeNotifierDesktop(),
      log,
      signal: ctx.signal,
      env: ctx.env,
      agentVersion: packageVersion(),
      ...(pem ? { wsOptions: withExtraCa(pem) } : {}),
    });
    return EXIT.ok;
  },
};
export default command;
