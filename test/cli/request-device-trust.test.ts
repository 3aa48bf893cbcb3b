// `porchlight request` checks the device itself (issue 17), against a real
// relay process and a real headless agent process: it fetches the device key
// at request time, prints its fingerprint, verifies every device-signed frame
// with it, refuses a frame whose signature was altered on the way, and refuses
// to send anything when the key changed without an audited re-key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyFingerprint } from '../../src/protocol/index.js';
import { KNOWN_DEVICES_FILE } from '../../src/cli/known-devices.js';
import { ensureBuilt, runCli, startCli, type RunningCli } from './built-cli.js';
import {
  addTechnician,
  approval,
  approvalsKey,
  enrollDevice,
  freePort,
  startHeadlessAgent,
  startRelayProcess,
  stopProcess,
  tmp,
  type RelayProcess,
} from '../fault/processes.js';
import { startRewritingProxy } from '../support/rewriting-proxy.js';

const DEVICE = 'srv-trust';
let dir: string;
let relay: RelayProcess;
let agent: RunningCli;
let token: string;
let deviceFingerprint: string;
let approvals: Awaited<ReturnType<typeof approvalsKey>>;

beforeAll(async () => {
  await ensureBuilt();
  dir = tmp('device-trust');
  const data = join(dir, 'relay');
  approvals = await approvalsKey(dir);
  token = await addTechnician(data, 'alice', true);
  const enrollmentToken = await enrollDevice(data, DEVICE);
  relay = await startRelayProcess(data, await freePort(), approvals.publicKey);
  const policy = { relayUrl: relay.url, relayPublicKey: relay.publicKey, approvalsPublicKey: approvals.publicKey, unattendedAllowed: true, unattendedGroups: ['helpdesk'] };
  agent = await startHeadlessAgent(dir, { deviceId: DEVICE, enrollmentToken, dataDir: join(dir, 'agent'), policy });
  deviceFingerprint = /started: device \S+ \(key ([A-Z2-7-]+)\)/.exec(agent.stderr())![1]!;
  await agent.waitForStderr(/status: connected/);
}, 120_000);
afterAll(async () => {
  await stopProcess(agent);
  await relay?.stop();
});

/** A fresh technician config dir per test: its own known-devices file. */
const configHome = (name: string) => {
  const home = join(dir, `config-${name}`);
  mkdirSync(home, { recursive: true });
  return home;
};
type Event = { type: string } & Record<string, unknown>;
const jsonLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);

async function unattendedArgs(url: string, ticket: string): Promise<string[]> {
  await approval(approvals, { device: DEVICE, technician: 'alice', ticket, scopes: 'view' });
  const file = join(dir, `approval-${ticket}.json`);
  return ['request', '--relay', url, '--token', token, '--device', DEVICE, '--ticket', ticket, '--reason', 'Disk full', '--scopes', 'view', '--unattended', '--approval', file, '--json'];
}

/** Run an unattended request until its session starts, then end it with Ctrl-C. */
async function runUntilStarted(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; events: Event[]; stderr: string }> {
  const cli = startCli(args, env);
  await cli.waitForOutput(/"type":"session.started"|"type":"bad-signature"|"type":"error"/);
  if (cli.stdout().includes('"session.started"')) cli.child.kill('SIGINT');
  const r = await cli.done;
  return { code: r.code, events: jsonLines(r.stdout), stderr: r.stderr };
}

describe('porchlight request verifies the device itself', { timeout: 90_000 }, () => {
  it('prints the device key fingerprint, and every decision event carries it with signatureVerified: true', async () => {
    const env = { XDG_CONFIG_HOME: configHome('verified') };
    const r = await runUntilStarted(await unattendedArgs(relay.url, 'INC-T1'), env);
    expect(r.code).toBe(0);
    expect(r.events[0]).toMatchObject({ type: 'device-key', deviceId: DEVICE, fingerprint: deviceFingerprint, trust: 'first-use' });
    const decision = r.events.find((e) => e.type === 'session.decision');
    expect(decision).toMatchObject({ outcome: 'accepted', deviceKeyFingerprint: deviceFingerprint, signatureVerified: true });
    expect(r.events.find((e) => e.type === 'session.started')).toMatchObject({ deviceKeyFingerprint: deviceFingerprint, signatureVerified: true });
    expect(r.events.find((e) => e.type === 'session.summary')).toMatchObject({ signatureVerified: true });

    // The second request finds the key it remembered; people read the fingerprint too.
    const again = await runCli(['request', '--relay', relay.url, '--token', token, '--device', DEVICE, '--ticket', 'INC-T1b', '--reason', 'Printer', '--scopes', 'view'], env);
    expect(again.code).toBe(4); // headless: no user present, a device-signed decline
    expect(again.stdout).toContain(`device ${DEVICE} key fingerprint: ${deviceFingerprint} (known)`);
    expect(again.stdout).toContain(`device signature verified (key ${deviceFingerprint})`);
  });

  it('refuses a decision whose device signature was altered between the relay and the technician', async () => {
    const proxy = await startRewritingProxy(relay.url, (text) => {
      const msg = JSON.parse(text) as { type: string; outcome?: string; deviceSig?: { sig: string } };
      if (msg.type !== 'session.decision' || !msg.deviceSig) return text;
      // A forged "accepted": same frame, one character of the signature changed.
      const sig = msg.deviceSig.sig;
      msg.deviceSig.sig = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
      return JSON.stringify(msg);
    });
    try {
      const r = await runUntilStarted(await unattendedArgs(proxy.url, 'INC-T2'), { XDG_CONFIG_HOME: configHome('tampered') });
      expect(proxy.rewritten).toBe(1);
      expect(r.code).toBe(1);
      const refusal = r.events.find((e) => e.type === 'bad-signature');
      expect(refusal).toMatchObject({ code: 'bad-signature', refused: 'session.decision' });
      expect(String(refusal!.detail)).toContain('REFUSED');
      expect(String(refusal!.detail)).toContain(deviceFingerprint);
      // The forged answer never reaches the technician's output as a decision.
      expect(r.events.map((e) => e.type)).not.toContain('session.decision');
    } finally {
      await proxy.close();
    }
  });

  it('refuses, naming both fingerprints, when the device key changed without an audited re-key; nothing is sent', async () => {
    const home = configHome('changed');
    const remembered = keyFingerprint(Buffer.alloc(32, 7).toString('base64url'));
    const now = new Date().toISOString();
    const entry = { relay: keyFingerprint(relay.publicKey), deviceId: DEVICE, fingerprint: remembered, firstSeenAt: now, updatedAt: now };
    mkdirSync(join(home, 'porchlight'));
    writeFileSync(join(home, 'porchlight', KNOWN_DEVICES_FILE), JSON.stringify({ v: 1, devices: [entry] }));
    const r = await runCli(['request', '--relay', relay.url, '--token', token, '--device', DEVICE, '--ticket', 'INC-T3', '--reason', 'Printer', '--scopes', 'view'], { XDG_CONFIG_HOME: home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`THE KEY OF DEVICE ${DEVICE} HAS CHANGED`);
    expect(r.stderr).toContain(`remembered key fingerprint: ${remembered}`);
    expect(r.stderr).toContain(`key the relay presents now: ${deviceFingerprint}`);
    expect(r.stdout).not.toContain('verification code');
  });
});
