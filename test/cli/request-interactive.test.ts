// `porchlight request --interactive`, the built CLI against a real relay and
// the real agent core: what the technician types reaches the user as
// narration, asks for more access, announces a file, and ends the session.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import type { UiPort } from '../../src/core/ui-port.js';
import type { BannerView, SummaryView } from '../../src/shared/view-models.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { ensureBuilt, startCli, type RunningCli } from './built-cli.js';
import { waitUntilOnline } from '../support/wait-until-online.js';

beforeAll(ensureBuilt, 120_000);

let t: TestRelay | undefined;
let agent: Agent | undefined;
let cli: RunningCli | undefined;

afterEach(async () => {
  if (cli && cli.child.exitCode === null) cli.child.kill('SIGKILL');
  await agent?.stop();
  await t?.close();
  t = agent = cli = undefined;
});

/** A user who grants whatever is asked, and whose banner the test can read. */
function grantingUi(): UiPort & { banners: BannerView[]; summaries: SummaryView[] } {
  const banners: BannerView[] = [];
  const summaries: SummaryView[] = [];
  return {
    banners,
    summaries,
    setStatus: () => undefined,
    showConsent: async (view) => ({ kind: 'decision', promptId: view.promptId, granted: [...view.scopes] }),
    showBanner: (view) => void banners.push(view),
    hideBanner: () => undefined,
    showSummary: (view) => void summaries.push(view),
    notify: () => undefined,
  };
}

const jsonLines = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });

describe('porchlight request --interactive', { timeout: 60_000 }, () => {
  it('narrates, asks for more access, sends a file and ends the session from stdin', async () => {
    t = await startTestRelay();
    const ui = grantingUi();
    const dataDir = mkdtempSync(join(tmpdir(), 'pl-interactive-'));
    const fileFolder = join(dataDir, 'received');
    agent = createAgent({ deviceId: 'dev-int', ui, dataDir, enrollmentToken: await t.enroll('dev-int'), policy: { ...DEFAULT_POLICY, relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey, fileFolder } });
    await agent.start();
    await waitUntilOnline(t.relay, 'dev-int');
    const token = await t.addTechnician('alice');
    const file = join(dataDir, 'printer-fix.txt');
    writeFileSync(file, 'spooler=restart\n');

    cli = startCli(['request', '--relay', t.relay.url, '--token', token, '--device', 'dev-int', '--ticket', 'INC-77', '--reason', 'Printer offline', '--scopes', 'view', '--interactive', '--json'], {}, { stdinPipe: true });
    const type = (line: string) => cli!.child.stdin!.write(`${line}\n`);
    await cli.waitForOutput('"type":"session.started"');

    type('Restarting the print spooler now');
    await expect.poll(() => ui.banners.at(-1)?.latestNarration?.text).toBe('Restarting the print spooler now');

    type('/more file-transfer I need to copy the fixed printer config');
    await cli.waitForOutput('"type":"session.scope-update"');
    expect(agent.grants()).toEqual(['view', 'file-transfer']);

    type(`/send ${file}`);
    await cli.waitForOutput('"type":"session.file-transfer-result"');
    await cli.waitForOutput('"type":"file"');
    expect(readFileSync(join(fileFolder, 'INC-77', 'printer-fix.txt'), 'utf8')).toBe('spooler=restart\n');

    type('/note Ran net stop spooler && net start spooler');
    type('/note');
    await cli.waitForOutput('/note needs the command you ran');

    type('/reboot now');
    await cli.waitForOutput('"type":"input-error"');

    type('/end');
    const done = await cli.done;
    const events = jsonLines(done.stdout);
    expect(done.code).toBe(0);
    expect(events.find((e) => e.type === 'session.file-transfer-result')).toMatchObject({ allowed: true });
    expect(events.find((e) => e.type === 'file')).toMatchObject({ detail: 'file: stored as printer-fix.txt' });
    expect(events.filter((e) => e.type === 'input-error')).toMatchObject([
      { code: 'bad-input', detail: expect.stringContaining('/note needs the command you ran') },
      { code: 'bad-input', detail: expect.stringContaining('unknown command /reboot') },
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'session.summary',
      summary: { scopesGranted: ['view', 'file-transfer'], narrationCount: 1, files: [{ name: 'printer-fix.txt', size: 16, sha256: createHash('sha256').update('spooler=restart\n').digest('hex'), direction: 'to-device' }] },
    });
    expect(agent.grants()).toEqual([]);
    // The note: in the central audit, and shown to the user under "What was changed", not as narration.
    const notes = await t.storage.queryAudit({ ticketId: 'INC-77', kinds: ['note'] });
    expect(notes.map((r) => r.data)).toEqual([{ text: 'Ran net stop spooler && net start spooler' }]);
    await expect.poll(() => ui.summaries.length).toBe(1);
    expect(ui.summaries[0]!.notes?.map((n) => n.text)).toEqual(['Ran net stop spooler && net start spooler']);
    expect(ui.summaries[0]!.narration.map((n) => n.text)).toEqual(['Restarting the print spooler now']);
  });

  it("prints the user's messages as user: lines (text) and session.user-message events (--json)", async () => {
    t = await startTestRelay();
    const ui = grantingUi();
    const dataDir = mkdtempSync(join(tmpdir(), 'pl-interactive-'));
    agent = createAgent({ deviceId: 'dev-say', ui, dataDir, enrollmentToken: await t.enroll('dev-say'), policy: { ...DEFAULT_POLICY, relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey } });
    await agent.start();
    await waitUntilOnline(t.relay, 'dev-say');
    const token = await t.addTechnician('alice');
    const args = ['request', '--relay', t.relay.url, '--token', token, '--device', 'dev-say', '--ticket', 'INC-78', '--reason', 'Outlook', '--scopes', 'view', '--interactive'];

    cli = startCli(args, {}, { stdinPipe: true });
    await cli.waitForOutput('started');
    const sessionId = ui.banners.at(-1)!.sessionId;
    expect(await agent.sendUserMessage(sessionId, 'The error says\nprofile missing')).toBe('sent');
    await cli.waitForOutput('user: The error says\n      profile missing');
    expect(await agent.sendUserMessage(sessionId, { quick: 'question' })).toBe('sent');
    await cli.waitForOutput('user: I have a question.  (quick question)');
    cli.child.stdin!.write('/end\n');
    expect((await cli.done).code).toBe(0);

    cli = startCli([...args, '--json'], {}, { stdinPipe: true });
    await cli.waitForOutput('"type":"session.started"');
    const second = ui.banners.at(-1)!.sessionId;
    expect(second).not.toBe(sessionId);
    expect(await agent.sendUserMessage(second, 'Thanks, it works')).toBe('sent');
    await cli.waitForOutput('"type":"session.user-message"');
    cli.child.stdin!.write('/end\n');
    const done = await cli.done;
    expect(jsonLines(done.stdout).find((e) => e.type === 'session.user-message')).toMatchObject({ sessionId: second, text: 'Thanks, it works', at: expect.any(String) });
  });
});
