// The `npm start` fallback without Electron: a local relay, a demo technician,
// an enrolled device and `porchlight agent --headless`, all through the
// `porchlight` command itself. Runs until Ctrl-C; with --once, CI=true or no
// TTY it checks one request end to end and exits (0 when everything worked).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const BIN = join(root, 'bin/porchlight.js');
const DEVICE = 'dev-demo';
const TECHNICIAN = 'demo';
const WAIT_MS = 30_000;

const cli = (args) => execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

/** Start a long-running `porchlight` child; its lines go to our stdout with a prefix. */
function daemon(name, args) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const waiters = new Set();
  const onData = (d) => {
    seen += d;
    for (const line of String(d).split('\n').filter(Boolean)) console.log(`[${name}] ${line}`);
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((r) => child.on('close', (code) => r(code)));
  const waitFor = (re) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no "${re.source}" within ${WAIT_MS / 1000}s`)), WAIT_MS);
      const check = () => {
        const m = re.exec(seen);
        if (!m) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(m);
      };
      waiters.add(check);
      check();
      void exited.then((code) => reject(new Error(`${name} exited (${code}) before "${re.source}"`)));
    });
  return { child, waitFor, exited };
}

export async function startHeadlessDemo(argv, env) {
  const once = argv.includes('--once') || /^(1|true)$/i.test(env.CI ?? '') || !process.stdin.isTTY;
  const dir = once ? mkdtempSync(join(tmpdir(), 'porchlight-dev-')) : join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'porchlight-dev');
  try {
    return await runDemo(dir, once);
  } finally {
    // The one-shot dir holds a private key and a technician token: never leave it behind.
    if (once) rmSync(dir, { recursive: true, force: true });
  }
}

async function runDemo(dir, once) {
  const relayDir = join(dir, 'relay');
  const agentDir = join(dir, 'agent');
  mkdirSync(agentDir, { recursive: true, mode: 0o700 });

  // One-time setup, kept across runs: approvals key, demo technician, device enrollment.
  const approvalsKeyFile = join(dir, 'approvals-key.json');
  if (!existsSync(approvalsKeyFile)) cli(['keys', 'generate', '--approvals', '--out', approvalsKeyFile]);
  const approvalsPublicKey = JSON.parse(readFileSync(approvalsKeyFile, 'utf8')).publicKey;
  const tokenFile = join(dir, 'technician-token');
  if (!existsSync(tokenFile)) {
    const out = cli(['relay', 'add-technician', '--name', TECHNICIAN, '--group', 'helpdesk', '--display', 'Demo Technician', '--unattended', '--data', relayDir]);
    writeFileSync(tokenFile, `${out.trim().split('\n').at(-1)}\n`, { mode: 0o600 });
  }
  const techToken = readFileSync(tokenFile, 'utf8').trim();
  const enrollmentToken = existsSync(join(agentDir, 'enrolled')) ? undefined : cli(['relay', 'enroll-device', '--device', DEVICE, '--data', relayDir]).split('\n')[1];

  // Installed first, so Ctrl-C (or a closed stdout pipe) during startup still stops the children.
  const stopRequested = new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    process.stdout.on('error', resolve);
  });
  const relay = daemon('relay', ['relay', '--port', '0', '--data', relayDir, '--approvals-key', approvalsPublicKey]);
  const children = [relay];
  const stopAll = async () => {
    for (const c of children.reverse()) if (c.child.exitCode === null) c.child.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
  };
  try {
    const [, url] = await relay.waitFor(/relay listening on (ws:\/\/\S+)/);
    const [, relayPublicKey] = await relay.waitFor(/relay public key: (\S+)/);
    const configFile = join(dir, 'agent.json');
    const policy = { relayUrl: url, relayPublicKey, approvalsPublicKey, unattendedAllowed: true, unattendedGroups: ['helpdesk'] };
    writeFileSync(configFile, `${JSON.stringify({ deviceId: DEVICE, ...(enrollmentToken ? { enrollmentToken } : {}), policy }, null, 2)}\n`, { mode: 0o600 });
    const agent = daemon('agent', ['agent', '--headless', '--config', configFile, '--data', agentDir]);
    children.push(agent);
    await agent.waitFor(/status: connected/);

    // The token goes in the environment: on a command line it would end up in `ps` and shell history.
    const request = ['request', '--relay', url, '--device', DEVICE, '--ticket', 'DEMO-1', '--reason', 'Printer offline', '--scopes', 'view,control'];
    const approval = join(dir, 'approval.json');
    console.log(`
Porchlight is running without Electron (data in ${dir}):
  relay              ${url}  (technician console: ${url.replace(/^ws/, 'http')}/)
  headless agent     device ${DEVICE}, connected; audit log in ${join(agentDir, 'audit')}
  demo technician    ${TECHNICIAN} (group helpdesk, unattended allowed)

Ask for a session (attended: nobody can answer in headless mode, so it declines with no-user-present):
  PORCHLIGHT_TOKEN=${techToken} npx porchlight ${request.map(quote).join(' ')}

Unattended, with a manager approval signed by the demo approvals key:
  npx porchlight approve --key ${approvalsKeyFile} --device ${DEVICE} --technician ${TECHNICIAN} --scopes view --ticket DEMO-2 --reference CHG-1 --approver "Demo Manager" --expires 30 --out ${approval}
  PORCHLIGHT_TOKEN=${techToken} npx porchlight ${request.map((a) => (a === 'DEMO-1' ? 'DEMO-2' : a === 'view,control' ? 'view' : a)).map(quote).join(' ')} --unattended --approval ${approval}

Check the agent's audit log:  npx porchlight audit verify ${join(agentDir, 'audit')}

${once ? `${dir} is temporary and is removed on exit.` : `Secrets are kept in ${dir} (owner-only files) for the next run: the approvals private key
${approvalsKeyFile} and the technician token ${tokenFile}. Delete that directory to forget them.`}
`);
    if (once) {
      // Prove the path end to end: a request reaches the agent and its decision comes back.
      const r = spawn(process.execPath, [BIN, ...request, '--json'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, PORCHLIGHT_TOKEN: techToken } });
      let out = '';
      r.stdout.on('data', (d) => (out += d));
      const code = await new Promise((res) => r.on('close', res));
      const last = out.trim().split('\n').at(-1) ?? '';
      const ok = code === 4 && last.includes('"no-user-present"');
      console.log(ok ? 'check: the request reached the headless agent and declined with no-user-present (as it should).' : `check FAILED: request exited ${code}: ${last}`);
      await stopAll();
      return ok ? 0 : 1;
    }
    console.log('Ctrl-C stops the agent and the relay.');
    await Promise.race([stopRequested, relay.exited, agent.exited]);
    await stopAll();
    return 0;
  } catch (err) {
    console.error(`npm start: ${err.message}`);
    await stopAll();
    return 1;
  }
}

function quote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg}"`;
}
