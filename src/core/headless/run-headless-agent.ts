// The headless daemon: config -> effective policy -> createAgent with the
// headless UI port -> run until the signal aborts -> stop cleanly (a live
// session ends with agent-exit and the relay is told). Everything with a side
// effect beyond the agent itself comes in through options, so tests run it in
// process with a recording notifier.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClientOptions } from 'ws';
import { keyFingerprint } from '../../protocol/signing.js';
import { createAgent, type Agent } from '../agent.js';
import { defaultAuditDir, defaultDataDir } from '../data-dir.js';
import { configPolicy } from '../policy/config-policy.js';
import type { ManagedPolicySource } from '../policy/sources/managed-source.js';
import type { AgentConfig } from './agent-config.js';
import type { DesktopNotifier } from './desktop-notifier.js';
import { HeadlessUi } from './headless-ui.js';

export interface HeadlessRunOptions {
  config: AgentConfig;
  configPath: string;
  /** --data overrides the config's dataDir, which overrides the OS default. */
  dataDir?: string;
  managedSources: readonly ManagedPolicySource[];
  notifier: DesktopNotifier;
  log: (line: string) => void;
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  agentVersion?: string;
  /** Extra TLS options for the relay connection (`--ca`: a private CA). */
  wsOptions?: ClientOptions;
  /** Called once the agent has started (tests, the dev start script). */
  onStarted?: (agent: Agent) => void;
}

export async function runHeadlessAgent(o: HeadlessRunOptions): Promise<void> {
  const dataDir = resolve(o.dataDir ?? o.config.dataDir ?? defaultDataDir(process.platform, o.env ?? process.env));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const effective = await configPolicy(o.managedSources, o.config.policy ?? {}, o.configPath);
  for (const problem of effective.problems) o.log(`policy: ${problem}`);
  const policy = effective.policy;
  o.log(`policy: from ${[o.configPath, ...effective.managedOrigins].join(' < ')}; unattended ${policy.unattendedAllowed ? `allowed for ${policy.unattendedGroups.join(',') || 'no group'}` : 'not allowed'}; scopes ${policy.allowedScopes.join(',') || 'none'}`);
  if (!policy.relayPublicKey) o.log('policy: no relayPublicKey pinned; every request will be refused');

  const ui = new HeadlessUi({ notifier: o.notifier, log: o.log });
  const agent = createAgent({
    policy,
    ui,
    dataDir,
    deviceId: o.config.deviceId,
    presence: 'headless',
    ...(o.config.enrollmentToken ? { enrollmentToken: o.config.enrollmentToken } : {}),
    ...(o.agentVersion ? { agentVersion: o.agentVersion } : {}),
    ...(o.wsOptions ? { wsOptions: o.wsOptions } : {}),
  });
  if (o.signal.aborted) return;
  await agent.start();
  const key = agent.devicePublicKey();
  o.log(`started: device ${o.config.deviceId}${key ? ` (key ${keyFingerprint(key)})` : ''}, data ${dataDir}, audit ${policy.auditDir ?? defaultAuditDir(dataDir)}, relay ${policy.relayUrl ?? 'not configured'}`);
  o.onStarted?.(agent);
  // The core's timers are unref'd (they must not keep a desktop app or a test
  // alive), so while the relay is away nothing would hold the event loop and
  // the daemon would silently exit instead of reconnecting. Hold it until stopped.
  const keepAlive = setInterval(() => undefined, 24 * 3600_000);
  await new Promise<void>((done) => {
    if (o.signal.aborted) done();
    else o.signal.addEventListener('abort', () => done(), { once: true });
  });
  clearInterval(keepAlive);
  o.log('stopping: ending any session (agent-exit)');
  await agent.stop();
  await ui.settled();
  o.log('stopped');
}
