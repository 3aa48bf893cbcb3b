// Evidence bundles carry the device's own signatures (issue 17), against a real
// relay process and a real headless agent process: `porchlight evidence`
// writes the device's enrolled key and every device signature of the ticket,
// `porchlight evidence verify` checks each one offline, and names the record
// whose signature fails, even when whoever edited it holds the relay key and
// rebuilt the chain and its signed checkpoint around the edit.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyFingerprint } from '../../src/protocol/index.js';
import { auditBodyHash, auditLinkHash, type AuditRecord } from '../../src/relay/audit/audit-record.js';
import { signAuditCheckpoint } from '../../src/relay/audit/checkpoint.js';
import type { EvidenceBundle } from '../../src/relay/evidence/bundle-schema.js';
import { RELAY_KEY_FILE, readKeyPairFile } from '../../src/relay/relay-key.js';
import { ensureBuilt, runCli, startCli } from './built-cli.js';
import { addTechnician, approval, approvalsKey, enrollDevice, freePort, startHeadlessAgent, startRelayProcess, stopProcess, tmp } from '../fault/processes.js';

const DEVICE = 'srv-evidence';
const TICKET = 'INC-EV-1';
let dir: string;
let relayData: string;
let relayPublicKey: string;
let deviceFingerprint: string;
let bundleFile: string;

beforeAll(async () => {
  await ensureBuilt();
  dir = tmp('evidence-sig');
  relayData = join(dir, 'relay');
  const approvals = await approvalsKey(dir);
  const token = await addTechnician(relayData, 'alice', true);
  const enrollmentToken = await enrollDevice(relayData, DEVICE);
  const relay = await startRelayProcess(relayData, await freePort(), approvals.publicKey);
  relayPublicKey = relay.publicKey;
  const policy = { relayUrl: relay.url, relayPublicKey: relay.publicKey, approvalsPublicKey: approvals.publicKey, unattendedAllowed: true, unattendedGroups: ['helpdesk'] };
  const agent = await startHeadlessAgent(dir, { deviceId: DEVICE, enrollmentToken, dataDir: join(dir, 'agent'), policy });
  try {
    deviceFingerprint = /started: device \S+ \(key ([A-Z2-7-]+)\)/.exec(agent.stderr())![1]!;
    await agent.waitForStderr(/status: connected/);
    await approval(approvals, { device: DEVICE, technician: 'alice', ticket: TICKET, scopes: 'view' });
    const request = startCli(['request', '--relay', relay.url, '--token', token, '--device', DEVICE, '--ticket', TICKET, '--reason', 'Disk full', '--scopes', 'view', '--unattended', '--approval', join(dir, `approval-${TICKET}.json`), '--json']);
    await request.waitForOutput('"type":"session.started"');
    request.child.kill('SIGINT');
    expect((await request.done).code).toBe(0);
  } finally {
    await stopProcess(agent, 'SIGTERM');
    await relay.stop();
  }
  bundleFile = join(dir, `${TICKET}.json`);
  const built = await runCli(['evidence', '--ticket', TICKET, '--out', bundleFile, '--data', relayData]);
  expect(built.code).toBe(0);
}, 120_000);

const read = (): EvidenceBundle => JSON.parse(readFileSync(bundleFile, 'utf8')) as EvidenceBundle;
type Rec = AuditRecord & { data: { deviceSig?: { sig: string; devicePublicKey: string } } };
const recordOf = (b: EvidenceBundle, kind: string) => (b.relay.records as Rec[]).find((r) => r.kind === kind)!;

/** What a relay that holds its own key can do: rebuild every hash after an edit and sign a new checkpoint. */
function rechainAsRelay(b: EvidenceBundle): void {
  const key = readKeyPairFile(join(relayData, RELAY_KEY_FILE));
  let prev: string | undefined;
  for (const link of b.relay.chain) {
    const disclosed = (b.relay.records as Rec[]).find((r) => r.seq === link.seq);
    if (prev !== undefined) link.prevHash = prev;
    if (disclosed) {
      disclosed.prevHash = link.prevHash;
      link.bodyHash = auditBodyHash(disclosed);
    }
    link.hash = auditLinkHash(link.seq, link.prevHash, link.ticketTag, link.bodyHash);
    if (disclosed) disclosed.hash = link.hash;
    prev = link.hash;
  }
  const head = b.relay.chain.at(-1)!;
  b.relay.checkpoint = signAuditCheckpoint({ seq: head.seq, hash: head.hash }, b.relay.checkpoint.at, key);
}

async function verify(b: EvidenceBundle, name: string) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(b));
  return runCli(['evidence', 'verify', file, '--relay-key', relayPublicKey]);
}

describe('device signatures in evidence bundles', { timeout: 60_000 }, () => {
  it('carry the enrolled device key and the signature of every decision, start and summary, and verify offline', async () => {
    const b = read();
    expect(b.devices).toEqual([expect.objectContaining({ deviceId: DEVICE, fingerprint: deviceFingerprint, rekeys: [] })]);
    for (const kind of ['decision', 'session-started', 'session-summary']) {
      const sig = recordOf(b, kind).data.deviceSig;
      expect(sig, kind).toBeDefined();
      expect(keyFingerprint(sig!.devicePublicKey)).toBe(deviceFingerprint);
    }
    const r = await runCli(['evidence', 'verify', bundleFile, '--relay-key', relayPublicKey]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^VERIFIED/);
  });

  it('names the record whose device signature was altered, even with the chain and checkpoint rebuilt by the relay key', async () => {
    const b = read();
    const decision = recordOf(b, 'decision');
    const sig = decision.data.deviceSig!;
    sig.sig = `${sig.sig[0] === 'A' ? 'B' : 'A'}${sig.sig.slice(1)}`;
    rechainAsRelay(b);
    const r = await verify(b, 'sig-altered');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`relay seq ${decision.seq}: session.decision device signature does not verify against the enrolled key (device ${DEVICE}, key ${deviceFingerprint})`);
    expect(r.stderr).toContain('NOT VERIFIED: 1 problem(s)');
  });

  it('names a record the relay rewrote (what the device said no longer matches its signature)', async () => {
    const b = read();
    const started = recordOf(b, 'session-started') as Rec & { data: { scopes: string[] } };
    started.data.scopes = ['view', 'control'];
    rechainAsRelay(b);
    const r = await verify(b, 'scopes-rewritten');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`relay seq ${started.seq}: session.started device signature does not verify`);
  });

  it('names a record signed with a key the device never enrolled with, and one without a device signature', async () => {
    const b = read();
    b.devices = b.devices!.map((d) => ({ ...d, publicKey: relayPublicKey, fingerprint: keyFingerprint(relayPublicKey) }));
    const r = await verify(b, 'other-key');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`which device ${DEVICE} never enrolled with`);

    const stripped = read();
    const summary = recordOf(stripped, 'session-summary');
    delete summary.data.deviceSig;
    rechainAsRelay(stripped);
    const s = await verify(stripped, 'stripped');
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(`relay seq ${summary.seq}: session-summary carries no device signature`);
  });
});
