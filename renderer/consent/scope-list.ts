// The access list: one checkbox per requested scope, higher-risk ones marked,
// blocked ones shown but not selectable. Only `view` may start ticked: anything
// that lets the technician act as the user is opted into deliberately.
import { HIGH_RISK_SCOPES, SCOPES } from '../../src/shared/page-protocol.js';
import type { Scope } from '../../src/shared/page-protocol.js';
import type { ConsentView } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { h } from '../common/element.js';

const s = strings.consent;

/** The one scope that may start ticked. */
export const PRE_TICKED_SCOPE: Scope = 'view';

export interface ScopeListDom {
  fieldset: HTMLFieldSetElement;
  checkboxes: Map<Scope, HTMLInputElement>;
}

export function renderScopeList(view: ConsentView): ScopeListDom {
  const checkboxes = new Map<Scope, HTMLInputElement>();
  const list = h('ul', { className: 'scopes' });
  for (const scope of SCOPES) {
    const requested = view.scopes.includes(scope);
    const blocked = !requested && view.blockedScopes.includes(scope);
    if (!requested && !blocked) continue;
    const id = `scope-${scope}`;
    const risky = HIGH_RISK_SCOPES.includes(scope);
    const box = h('input', { id, attrs: { type: 'checkbox', 'aria-describedby': `${id}-detail` } });
    box.value = scope;
    box.checked = requested && scope === PRE_TICKED_SCOPE;
    box.disabled = blocked;
    // A window is agreed to as proposed (Agree / Decline): the list says what it covers, nothing to tick.
    if (view.kind === 'schedule') {
      box.checked = requested;
      box.hidden = true;
    }
    if (requested) checkboxes.set(scope, box);
    const text = strings.scopes[scope];
    list.append(
      h(
        'li',
        { className: `scope${blocked ? ' scope-blocked' : ''}${risky ? ' scope-risky' : ''}` },
        box,
        h(
          'label',
          { attrs: { for: id } },
          h('span', { className: 'scope-title', text: text.title }),
          risky && !blocked ? h('span', { className: 'badge badge-risk', text: strings.higherRisk }) : null,
          blocked ? h('span', { className: 'badge badge-blocked', text: s.blocked }) : null,
        ),
        h('p', { id: `${id}-detail`, className: 'scope-detail', text: text.detail }),
      ),
    );
  }
  const legend = { escalation: s.newAccessLegend, session: s.scopesLegend, schedule: s.windowLegend }[view.kind];
  const fieldset = h('fieldset', { className: 'scope-set' }, h('legend', { text: legend }), list);
  return { fieldset, checkboxes };
}

/** Escalations: what the session already holds, as a quiet line above the new request. */
export function renderAlreadyGranted(view: ConsentView): HTMLElement | null {
  const held = (view.grantedScopes ?? []).filter((scope) => !view.scopes.includes(scope));
  if (view.kind !== 'escalation' || held.length === 0) return null;
  return h(
    'p',
    { className: 'already-granted small' },
    h('span', { className: 'muted', text: `${s.alreadyGranted}: ` }),
    held.map((scope) => strings.scopes[scope].short).join(', '),
  );
}
