// One real session through a real relay with the real agent core
// (createAgent): a request the user grants, ended by the user, then the agent
// stops. Leaves the agent's audit dir and the relay (for its central audit and
// evidence) for tests of the audit anchors the agent sends to the relay.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../../src/core/agent.js';
import { defaultAuditDir } from '../../src/core/data-dir.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { waitUntilOnline } from '../support/wait-until-online.js';
import { grantingUi } from '../support/granting-ui.js';

export const ANCHOR_TICKET = 'INC-ANCHOR';

export interface AnchoredSession {
  t: TestRelay;
  auditDir: string;
  /** `relay audit --ticket ANCHOR_TICKET --format jsonl` as a file. */
  anchorsFile: string;
  close(): Promise<void>;
}

export async function runAnchoredSession(): Promise<AnchoredSession> {
  const t = await startTestRelay();
  const deviceId = 'dev-anchor';
  const dataDir = mkdtempSync(join(tmpdir(), 'pl-anchor-agent-'));
  const agent = createAgent({
    deviceId,
    ui: grantingUi,
    dataDir,
    enrollmentToken: await t.enroll(deviceId),
    policy: { ...DEFAULT_POLICY, relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey },
  });
  await agent.start();
  await waitUntilOnline(t.relay, deviceId);
  const r = await connectTechnician(t.relay.url, await t.addTechnician('alice'));
  if (!r.ok) throw new Error(r.detail);
  const tech = r.client;
  const started = tech.waitFor((m) => (m.type === 'session.started' ? m : undefined));
  const ask: Message<'tech.request'> = { v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ANCHOR_TICKET }, reason: 'Printer offline', scopes: ['view'], mode: 'attended', estimatedMinutes: 10 };
  tech.send(ask);
  const { sessionId } = (await started)!;
  const summary = tech.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
  await agent.endSession(sessionId);
  await summary;
  await tech.close();
  await agent.stop();
  const anchorsFile = join(mkdtempSync(join(tmpdir(), 'pl-anchor-relay-')), 'relay-audit.jsonl');
  const records = await t.storage.queryAudit({ ticketId: ANCHOR_TICKET });
  writeFileSync(anchorsFile, records.map((x) => `${JSON.stringify(x)}\n`).join(''));
  return { t, auditDir: defaultAuditDir(dataDir), anchorsFile, close: () => t.close() };
}
