// The badge saying how a request is authorised: the user decides, a manager
// approved it in advance, or it is a flagged emergency.
import type { ConsentMode } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { h } from './element.js';

/** `prompt`: while the user decides; `session`: once the session runs. */
export function modeBadge(mode: ConsentMode, context: 'prompt' | 'session'): HTMLElement {
  const label = (context === 'prompt' ? strings.consent.modes : strings.banner.modes)[mode.kind];
  return h('span', { className: `badge badge-mode badge-${mode.kind}`, text: label });
}

/** The facts behind an unattended or emergency request, as label/value pairs (empty when attended). */
export function modeFacts(mode: ConsentMode): [label: string, value: string][] {
  switch (mode.kind) {
    case 'attended':
      return [];
    case 'unattended':
      return [
        [strings.consent.approver, mode.approver],
        [strings.consent.reference, mode.reference],
      ];
    case 'emergency':
      return [
        [strings.consent.justification, mode.justification],
        [strings.consent.incident, mode.incident],
      ];
  }
}

/** A description list of label/value pairs; values are text. */
export function factList(facts: [label: string, value: string | Node][], className = 'facts'): HTMLDListElement {
  const dl = h('dl', { className });
  for (const [label, value] of facts) dl.append(h('div', { className: 'fact' }, h('dt', { text: label }), h('dd', {}, value)));
  return dl;
}
