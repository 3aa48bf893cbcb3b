// The first dialog a page lays out costs far more than the next (style matching, font fallback and
// shaping, cold code: 30-150 ms against 4-7 ms on this project's 2-core bench machine). A window loaded in
// advance shows exactly one prompt, so without this it would pay that cost after the request arrived. Here
// the page lays out a sample dialog once while loading, hidden and inert, and removes it before it says
// ready: a window opened on arrival pays the same cost it did anyway, just before ready instead of after.
import type { ConsentView } from '../../src/shared/view-models.js';
import { parseIpcPayload } from '../../src/shared/ipc-contract.js';
import { h } from '../common/element.js';
import { renderConsent } from './render-consent.js';

const SAMPLE: ConsentView = {
  promptId: 'warm-up',
  kind: 'session',
  technician: { id: 'warm-up', name: 'Sample Technician', group: 'Service desk', org: 'Sample IT' },
  ticket: { id: 'INC0000000', url: 'https://example.invalid/INC0000000' },
  reason: 'A sample request, laid out once while the page loads and never shown.',
  scopes: ['view', 'control', 'file-transfer'],
  blockedScopes: ['admin'],
  mode: { kind: 'attended' },
  estimatedMinutes: 20,
  verificationCode: '000000',
  expiresAt: '2000-01-01T00:00:00.000Z',
  queued: 0,
};

export function warmUpLayout(maxCodeTries: number): void {
  // The same parse the real prompt goes through (its code warms too); the sample is valid by construction.
  parseIpcPayload('consent:show', SAMPLE);
  const dom = renderConsent(SAMPLE, maxCodeTries);
  const holder = h('div', { className: 'warm-up', attrs: { 'aria-hidden': 'true', inert: '' } }, dom.root);
  document.body.append(holder);
  // Reading a laid-out size forces style and layout now, text shaping included.
  void dom.details.scrollHeight;
  holder.remove();
}
