// Real processes for the fault suite: the `porchlight relay` and
// `porchlight agent --headless` commands from the built CLI, their admin
// commands, and approval tokens from `porchlight approve`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Message } from '../../src/protocol/index.js';
import { readKeyPairFile } from '../../src/relay/relay-key.js';
import { runCli, startCli, type RunningCli, type SpawnOptions } from '../cli/built-cli.js';
import { freePort } from '../support/free-port.js';
export { freePort };

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `pl-fault-${prefix}-`));

/** A node-only PATH: no notify-send, as on a server without a desktop. */
export const NO_DESKTOP_ENV = { PATH: dirname(process.execPath) };

export interface RelayProcess {
  cli: RunningCli;
  url: string;
  publicKey: string;
  /** SIGKILL: no clean shutdown, sockets just die. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRelayProcess(dataDir: string, port: number, approvalsPublicKey?: string): Promise<RelayProcess> {
  const cli = startCli(['relay', '--port', String(port), '--data', dataDir, '--require-mfa', 'off', ...(approvalsPublicKey ? [`--approvals-key=${approvalsPublicKey}`] : [])]);
  const out = await cli.waitForOutput(/relay listening on (ws:\/\/\S+)/);
  const url = /relay listening on (ws:\/\/\S+)/.exec(out)![1]!;
  const publicKey = /relay public key: (\S+)/.exec(out)![1]!;
  const end = async (signal: NodeJS.Signals) => {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill(signal);
    await cli.done;
  };
  return { cli, url, publicKey, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

export async function addTechnician(relayData: string, name: string, unattended = false): Promise<string> {
  const r = await runCli(['relay', 'add-technician', '--name', name, '--group', 'helpdesk', '--data', relayData, ...(unattended ? ['--unattended'] : [])]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split('\n').at(-1)!;
}

export async function enrollDevice(relayData: string, deviceId: string): Promise<string> {
  const r = await runCli(['relay', 'enroll-device', '--device', deviceId, '--data', relayData]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n')[1]!;
}

export interface ApprovalsKey {
  file: string;
  publicKey: string;
}

export async function approvalsKey(dir: string): Promise<ApprovalsKey> {
  const file = join(dir, 'approvals-key.json');
  const r = await runCli(['keys', 'generate', '--approvals', '--out', file]);
  if (r.code !== 0) throw new Error(r.stderr);
  return { file, publicKey: readKeyPairFile(file).publicKey };
}

export type ManagerToken = Extract<NonNullable<Message<'tech.request'>['approval']>, { kind: 'manager' }>['token'];

export async function approval(key: ApprovalsKey, o: { device: string; technician: string; ticket: string; scopes: string }): Promise<ManagerToken> {
  const out = join(dirname(key.file), `approval-${o.ticket}.json`);
  const r = await runCli(['approve', '--key', key.file, '--device', o.device, '--technician', o.technician, '--scopes', o.scopes, '--ticket', o.ticket, '--reference', 'CHG-42', '--approver', 'Maria Manager', '--expires', '60', '--out', out]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as ManagerToken;
}

export interface HeadlessAgentSetup {
  deviceId: string;
  enrollmentToken?: string;
  dataDir: string;
  policy: Record<string, unknown>;
}

/** Write the config file and start `porchlight agent --headless`; resolves once it has started. */
export async function startHeadlessAgent(dir: string, s: HeadlessAgentSetup, spawnOptions: SpawnOptions = {}, env: NodeJS.ProcessEnv = {}): Promise<RunningCli> {
  const configFile = join(dir, `agent-${Date.now()}.json`);
  writeFileSync(configFile, JSON.stringify({ deviceId: s.deviceId, ...(s.enrollmentToken ? { enrollmentToken: s.enrollmentToken } : {}), policy: s.policy }));
  const cli = startCli(['agent', '--headless', '--config', configFile, '--data', s.dataDir], { ...NO_DESKTOP_ENV, ...env }, spawnOptions);
  await cli.waitForStderr(/started: device /);
  return cli;
}

export async function stopProcess(cli: RunningCli | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!cli) return;
  if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill(signal);
  await cli.done;
}
