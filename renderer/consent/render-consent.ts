// Builds the consent dialog from a validated ConsentView. Network strings go
// in as text only (element.ts); nothing here reacts to input.
import { HIGH_RISK_SCOPES, SCOPES } from '../../src/shared/page-protocol.js';
import type { Scope } from '../../src/shared/page-protocol.js';
import type { ConsentView } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { h } from '../common/element.js';
import { factList, modeBadge, modeFacts } from '../common/mode-badge.js';

const s = strings.consent;

export interface ConsentDom {
  root: HTMLElement;
  heading: HTMLElement;
  checkboxes: Map<Scope, HTMLInputElement>;
  allow: HTMLButtonElement;
  decline: HTMLButtonElement;
  openTicket: HTMLButtonElement | undefined;
  /** Only when the view asks for a confirmation code (escalation while the technician holds control). */
  confirmInput: HTMLInputElement | undefined;
  countdown: HTMLElement;
  hint: HTMLElement;
  status: HTMLElement;
}

export function renderConsent(view: ConsentView): ConsentDom {
  const name = view.technician.name;
  const heading = h('h1', { className: 'who', attrs: { tabindex: '-1' }, text: view.kind === 'session' ? s.wantsToConnect(name) : s.wantsMore(name) });

  const identity = h(
    'p',
    { className: 'identity' },
    h('span', { className: 'muted', text: `${s.verifiedAs} ` }),
    h('span', { className: 'identity-value', text: view.technician.org ? `${view.technician.group} · ${view.technician.org}` : view.technician.group }),
  );

  const digits = view.verificationCode;
  const code = h(
    'section',
    { className: 'code-box', attrs: { 'aria-labelledby': 'code-label' } },
    h('h2', { id: 'code-label', className: 'code-label', text: s.codeLabel }),
    h('p', { className: 'code' }, h('span', { attrs: { 'aria-hidden': 'true' }, text: `${digits.slice(0, 3)} ${digits.slice(3)}` }), h('span', { className: 'visually-hidden', text: digits.split('').join(' ') })),
    h('p', { className: 'code-hint', text: s.codeHint }),
  );

  let openTicket: HTMLButtonElement | undefined;
  const ticketValue = h('span', { className: 'ticket' }, h('span', { className: 'ticket-id', text: view.ticket.id }));
  if (view.ticket.url) {
    openTicket = h('button', { className: 'link-button', attrs: { type: 'button', 'aria-label': s.openTicketLabel(view.ticket.id) }, text: s.openTicket });
    ticketValue.append(openTicket, h('span', { className: 'muted ticket-host', text: new URL(view.ticket.url).host }));
  }
  const facts: [string, string | Node][] = [
    [s.ticket, ticketValue],
    [s.reason, h('span', { className: 'multiline', text: view.reason })],
    [s.estimate, s.minutes(view.estimatedMinutes)],
  ];
  if (view.extendMinutes !== undefined) facts.push([s.extension, s.minutes(view.extendMinutes)]);
  const details = factList(facts);

  const modeDetails = modeFacts(view.mode);
  const modePanel =
    modeDetails.length > 0
      ? h(
          'section',
          { className: `mode-panel mode-${view.mode.kind}`, attrs: { 'aria-labelledby': 'mode-title' } },
          h('h2', { id: 'mode-title', className: 'mode-title', text: modeTitle(view) }),
          factList(modeDetails.map(([l, v]) => [l, h('span', { className: 'multiline', text: v })])),
        )
      : null;

  const checkboxes = new Map<Scope, HTMLInputElement>();
  const scopeList = h('ul', { className: 'scopes' });
  for (const scope of SCOPES) {
    const requested = view.scopes.includes(scope);
    const blocked = !requested && view.blockedScopes.includes(scope);
    if (!requested && !blocked) continue;
    const id = `scope-${scope}`;
    const risky = HIGH_RISK_SCOPES.includes(scope);
    const box = h('input', { id, attrs: { type: 'checkbox', 'aria-describedby': `${id}-detail` } });
    box.value = scope;
    // Higher-risk access starts unticked: the user opts in deliberately.
    box.checked = requested && !risky;
    box.disabled = blocked;
    if (requested) checkboxes.set(scope, box);
    const text = strings.scopes[scope];
    scopeList.append(
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
  const scopes = h(
    'fieldset',
    { className: 'scope-set' },
    h('legend', { text: s.scopesLegend }),
    h('p', { className: 'muted small', text: s.scopesHint }),
    scopeList,
  );

  const confirm = view.confirmCode === undefined ? null : confirmBox(view.confirmCode);

  const queued = view.queued > 0 ? h('p', { className: 'queued muted small', text: s.queued(view.queued) }) : null;
  const countdown = h('p', { className: 'countdown', attrs: { role: 'timer', 'aria-live': 'off' } });
  const decline = h('button', { className: 'button button-secondary', attrs: { type: 'button' }, text: s.decline });
  const allow = h('button', { className: 'button button-primary', attrs: { type: 'button', 'aria-disabled': 'true', 'aria-describedby': 'allow-hint' }, text: s.allow });
  const hint = h('p', { id: 'allow-hint', className: 'hint small muted' });
  const status = h('p', { className: 'status', attrs: { role: 'status' } });

  const root = h(
    'div',
    { className: 'consent-body' },
    h(
      'header',
      { className: 'topbar' },
      h('span', { className: 'brand' }, h('span', { className: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), strings.product),
      h('span', { className: 'kicker', text: view.kind === 'session' ? s.heading : s.escalationHeading }),
      modeBadge(view.mode, 'prompt'),
    ),
    h('div', { className: 'intro' }, heading, identity),
    code,
    details,
    modePanel,
    scopes,
    confirm?.box ?? null,
    h('footer', { className: 'actions-bar' }, h('div', { className: 'timing' }, countdown, queued), h('div', { className: 'actions' }, decline, allow), hint, status),
  );
  return { root, heading, checkboxes, allow, decline, openTicket, confirmInput: confirm?.input, countdown, hint, status };
}

/** The code the user types before Allow arms: shown here only, inside the capture-protected window. */
function confirmBox(code: string): { box: HTMLElement; input: HTMLInputElement } {
  const input = h('input', {
    id: 'confirm-input',
    className: 'confirm-input',
    attrs: { type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', maxlength: String(code.length), 'aria-describedby': 'confirm-hint' },
  });
  const box = h(
    'section',
    { className: 'confirm-box', attrs: { 'aria-labelledby': 'confirm-title' } },
    h('h2', { id: 'confirm-title', className: 'code-label', text: s.confirmTitle }),
    h('p', { className: 'confirm-code' }, h('span', { attrs: { 'aria-hidden': 'true' }, text: code }), h('span', { className: 'visually-hidden', text: code.split('').join(' ') })),
    h('p', { id: 'confirm-hint', className: 'code-hint', text: s.confirmHint }),
    h('label', { className: 'confirm-label', attrs: { for: 'confirm-input' }, text: s.confirmInputLabel }),
    input,
  );
  return { box, input };
}

function modeTitle(view: ConsentView): string {
  return view.mode.kind === 'emergency' ? s.emergencyTitle : s.unattendedTitle;
}
