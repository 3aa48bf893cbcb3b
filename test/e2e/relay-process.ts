// The reference relay as its own process (the built `porchlight relay`), with
// its admin commands run the way an IT admin runs them, also as processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli, startCli, type RunningCli } from '../cli/built-cli.js';

export interface RelayProcess {
  url: string;
  publicKey: string;
  dataDir: string;
  /** Adds a technician with the CLI; returns its API token. */
  addTechnician(name: string, o?: { group?: string; scopes?: string; unattended?: boolean; display?: string }): Promise<string>;
  /** One-time enrollment token for a device, from the CLI. */
  enroll(deviceId: string): Promise<string>;
  /** `porchlight relay audit --ticket T --format jsonl`: the central records of one ticket. */
  auditOf(ticketId: string): Promise<Record<string, unknown>[]>;
  /** SIGINT: the relay writes a checkpoint and stops; its data dir is removed. */
  stop(): Promise<number>;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)!.trim();
}

export async function startRelayProcess(o: { approvalsPublicKey?: string } = {}): Promise<RelayProcess> {
  await ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'pl-e2e-relay-'));
  const args = ['relay', '--port', '0', '--data', dataDir, '--require-mfa', 'off', ...(o.approvalsPublicKey ? [`--approvals-key=${o.approvalsPublicKey}`] : [])];
  const relay: RunningCli = startCli(args);
  const out = await relay.waitForOutput(/relay listening on \S+/);
  const url = /relay listening on (ws:\/\/\S+)/.exec(out)![1]!;
  const publicKey = /relay public key: (\S+)/.exec(out)![1]!;
  return {
    url,
    publicKey,
    dataDir,
    async addTechnician(name, t = {}) {
      const r = await runCli(['relay', 'add-technician', '--name', name, '--group', t.group ?? 'helpdesk', '--display', t.display ?? `${name[0]!.toUpperCase()}${name.slice(1)} Tech`, '--scopes', t.scopes ?? 'view,control,admin,file-transfer', ...(t.unattended ? ['--unattended'] : []), '--data', dataDir]);
      if (r.code !== 0) throw new Error(`add-technician failed: ${r.stderr}`);
      return lastLine(r.stdout);
    },
    async enroll(deviceId) {
      const r = await runCli(['relay', 'enroll-device', '--device', deviceId, '--data', dataDir]);
      if (r.code !== 0) throw new Error(`enroll-device failed: ${r.stderr}`);
      return r.stdout.split('\n')[1]!.trim();
    },
    async auditOf(ticketId) {
      const r = await runCli(['relay', 'audit', '--ticket', ticketId, '--format', 'jsonl', '--data', dataDir]);
      if (r.code !== 0) throw new Error(`relay audit failed: ${r.stderr}`);
      return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    async stop() {
      relay.child.kill('SIGINT');
      const { code } = await relay.done;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
