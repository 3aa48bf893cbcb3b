// Hostile-text corpus end to end: signed relay frames through the real agent
// core into the consent page in Chromium, then the device audit. Each string
// is either refused with a typed error (never shown, never recorded as a
// request), or shown as accepted, and then the audit records exactly the text
// the page showed, with the same identity warnings.
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { newMessageId, type SessionRequestPayload } from '../../src/protocol/index.js';
import { MAX_NAME_LENGTH } from '../../src/protocol/primitives.js';
import { strings } from '../../src/shared/strings.js';
import { HOSTILE } from '../renderer/sample-views.js';
import { useBrowserAgent } from './browser-agent.js';
import { clickClosingWindow } from '../e2e/closing-click.js';

const agents = useBrowserAgent(test, ['consent']);

type Hostile = Pick<SessionRequestPayload, 'technician' | 'reason'>;
const tech = (name: string, org?: string): SessionRequestPayload['technician'] => ({ id: 'mallory', name, group: 'helpdesk', ...(org ? { org } : {}) });

/** Accepted by the text policy: shown, and recorded as shown. */
const SHOWN: [string, Hostile][] = [
  ['markup in every field', { technician: tech(`n ${HOSTILE}`.slice(0, MAX_NAME_LENGTH), `o ${HOSTILE}`.slice(0, MAX_NAME_LENGTH)), reason: `r ${HOSTILE}` }],
  ['homoglyph organisation', { technician: tech('Alice Moreau', '\u041cicrosoft Support'), reason: 'Printer queue stuck' }],
  ['emoji badge in the name', { technician: tech('\u2705 Verified Support'), reason: 'Printer queue stuck' }],
  ['right-to-left name next to digits', { technician: tech('שרה כהן 913', 'Robinson Park IT'), reason: 'תור ההדפסה תקוע 482 913' }],
  ['combining marks at the cap', { technician: tech('Rq\u0308\u0301binson'), reason: 'q\u0323\u0307'.repeat(150) }],
  ['fake UI text in the reason', { technician: tech('Alice Moreau'), reason: 'VERIFICATION CODE 111 111 - tick every box\nYour IT department approved this.' }],
  ['longest accepted texts', { technician: tech('W'.repeat(MAX_NAME_LENGTH), 'M'.repeat(MAX_NAME_LENGTH)), reason: 'long '.repeat(100).trim() }],
];

/** Refused by the text policy or the bounds before anything reaches the user. */
const REFUSED: [string, Hostile, string][] = [
  ['zero-width name', { technician: tech('\u200b\u200b\u200b'), reason: 'x' }, 'technician.name: text:invisible'],
  ['Hangul filler name', { technician: tech('\u3164'), reason: 'x' }, 'technician.name: text:invisible'],
  ['RLM reordering digits', { technician: tech('Alice \u05d0\u200f 913 482'), reason: 'x' }, 'technician.name: text:invisible'],
  ['RLO file name', { technician: tech('Alice'), reason: 'open invoice\u202Efdp.exe' }, 'reason: text:direction'],
  ['line separator in a name', { technician: tech('Alice\u2028Moreau'), reason: 'x' }, 'technician.name: text:separator'],
  ['zalgo', { technician: tech('Alice'), reason: `Z${'\u0336\u0335\u0334\u0337'.repeat(50)}algo` }, 'reason: text:combining'],
  ['tag characters', { technician: tech('Alice\u{e0041}\u{e0042}'), reason: 'x' }, 'technician.name: text:invisible'],
  ['5,000-character reason', { technician: tech('Alice'), reason: 'x'.repeat(5000) }, 'reason: Too big'],
];

/** What the page shows for each audited field (the text of its own isolate). */
async function shown(page: Page) {
  const text = (selector: string) => page.locator(selector).first().textContent();
  const warnings = await page.locator('.name-warning p.small').allTextContents();
  return {
    technicianName: await text('h1.who bdi'),
    technicianOrg: (await page.locator('.identity-value bdi').count()) > 1 ? await page.locator('.identity-value bdi').nth(1).textContent() : undefined,
    technicianGroup: await page.locator('.identity-value bdi').first().textContent(),
    ticketId: await text('.ticket-id'),
    reason: await text('.words-text [dir=auto]'),
    verificationCode: (await text('.code .visually-hidden'))!.replace(/ /g, ''),
    identityWarnings: Object.entries(strings.consent.nameWarnings)
      .filter(([, line]) => warnings.includes(line))
      .map(([code]) => code),
  };
}

test.describe('hostile text: what the audit says the user saw', () => {
  let n = 0;
  for (const [label, fields] of SHOWN) {
    test(`shown and recorded exactly as shown: ${label}`, async ({ context }) => {
      const b = await agents.start(context);
      const ticket = { id: `INC-HOSTILE-${++n}` };
      const req = b.request({ ...fields, ticket });
      b.relay.sendRequest(req);
      const page = await b.ui.page('consent');
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      const onScreen = await shown(page);
      // Nothing injected ran or became an element.
      expect(await page.locator('.consent-body img, .consent-body script, .consent-body b').count()).toBe(0);
      // Declining closes the dialog, as the shell does: the click may be overtaken by that close (closing-click.ts).
      await clickClosingWindow(page, page.getByRole('button', { name: 'Decline' }));
      await b.relay.waitFor('session.decision', (d) => d.requestId === req.requestId);
      await b.agent.idle();

      const records = recordsForTicket(join(b.dataDir, 'audit'), ticket.id) as unknown as Record<string, unknown>[];
      const received = records.find((r) => r.type === 'request.received')!;
      const decision = records.find((r) => r.type === 'consent.decision')!;
      expect(onScreen).toEqual({
        technicianName: received.technicianName,
        technicianOrg: received.technicianOrg,
        technicianGroup: received.technicianGroup,
        ticketId: received.ticketId,
        reason: received.reason,
        verificationCode: received.verificationCode,
        identityWarnings: received.identityWarnings ?? [],
      });
      expect(decision.identityWarnings ?? []).toEqual(onScreen.identityWarnings);
      // And it is the text that was signed and sent, byte for byte.
      expect(received).toMatchObject({ technicianName: fields.technician.name, reason: fields.reason });
    });
  }

  for (const [label, fields, why] of REFUSED) {
    test(`refused with a typed error, never shown nor recorded as a request: ${label}`, async ({ context }) => {
      const b = await agents.start(context);
      const ticket = { id: `INC-REFUSED-${++n}` };
      const msg = b.relay.sendRequest(b.request({ ...fields, ticket }));
      const error = await b.relay.waitFor('error', (e) => e.re === msg.id);
      // The typed error names the field and the rule it broke.
      expect(error).toMatchObject({ code: 'bad-frame', detail: expect.stringContaining(`payload.${why}`) });
      await b.agent.idle();
      expect(b.ui.opened.consent).toHaveLength(0);
      expect(b.agent.status().prompting).toBe(false);
      expect(recordsForTicket(join(b.dataDir, 'audit'), ticket.id)).toEqual([]);
    });
  }
});

test.describe('hostile text during a session: banner and audit agree', () => {
  const SHOWN_NARRATION = [
    'Now opening the registry editor. VERIFICATION CODE 111 111 - click Allow on everything',
    'פותח את עורך הרישום 482 913',
    `Z\u0336\u0335algo ${'q\u0323\u0307'.repeat(40)}`,
  ];

  test('each narration is on the banner exactly as the device audit records it; a refused one is neither', async ({ context }) => {
    const b = await agents.start(context);
    const ticket = { id: 'INC-HOSTILE-LIVE' };
    b.relay.sendRequest(b.request({ ticket, scopes: ['view'], technician: tech('שרה כהן', 'Robinson Park IT') }));
    const consent = await b.ui.page('consent');
    const allow = consent.getByRole('button', { name: 'Allow selected' });
    await expect(allow).toHaveAttribute('aria-disabled', 'false');
    await clickClosingWindow(consent, allow);
    const { sessionId } = await b.relay.waitFor('session.started');
    const banner = await b.ui.page('banner');

    for (const text of SHOWN_NARRATION) {
      b.relay.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text });
      await expect(banner.locator('.narration')).toHaveText(text);
    }
    const refused = { v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'open invoice\u202Efdp.exe now' } as const;
    b.relay.send(refused);
    expect(await b.relay.waitFor('error', (e) => e.re === refused.id)).toMatchObject({ code: 'bad-frame', detail: expect.stringContaining('text:direction') });
    await b.agent.idle();
    // The banner still shows the last accepted narration, as audited.
    const onBanner = await banner.locator('.narration').textContent();
    const narrations = (recordsForTicket(join(b.dataDir, 'audit'), ticket.id) as unknown as Record<string, unknown>[])
      .filter((r) => r.type === 'session.narration')
      .map((r) => r.text);
    expect(narrations).toEqual(SHOWN_NARRATION);
    expect(onBanner).toBe(narrations.at(-1));
    await expect(banner.locator('.who bdi').first()).toHaveText('שרה כהן');
  });
});
