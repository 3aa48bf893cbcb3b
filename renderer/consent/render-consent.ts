// Builds the consent dialog from a validated ConsentView. Consent first, then
// details: who asks, the verification code and the access list come before the
// ticket and the technician's own words, and the buttons sit in a footer
// outside the scrolling part, so nothing ever covers them. Network strings go
// in as text only (element.ts), each in its own bidi isolate (isolate.ts).
import { identityWarnings, type Scope } from '../../src/shared/page-protocol.js';
import type { ConsentView } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { h } from '../common/element.js';
import { isolated, isolatedBlock, sentence, sentenceOf } from '../common/isolate.js';
import { dateTime } from '../common/time-format.js';
import { windowWords } from '../../src/shared/window-words.js';
import { factList, modeBadge, modeFacts } from '../common/mode-badge.js';
import { renderConfirmBox } from './confirm-box.js';
import { contactLine, contactNote } from './contact-line.js';
import { renderAlreadyGranted, renderScopeList } from './scope-list.js';

const s = strings.consent;

export interface ConsentDom {
  root: HTMLElement;
  /** The part that scrolls when the window is too small (the footer never does). */
  scroller: HTMLElement;
  heading: HTMLElement;
  scopeSet: HTMLFieldSetElement;
  checkboxes: Map<Scope, HTMLInputElement>;
  allow: HTMLButtonElement;
  decline: HTMLButtonElement;
  openTicket: HTMLButtonElement | undefined;
  /** Only when the view asks for a confirmation code (escalation while the technician holds control). */
  confirmInput: HTMLInputElement | undefined;
  details: HTMLElement;
  showMore: HTMLButtonElement;
  countdown: HTMLElement;
  queued: HTMLElement;
  hint: HTMLElement;
  status: HTMLElement;
}

export function renderConsent(view: ConsentView, maxCodeTries: number): ConsentDom {
  const heading = h('h1', { className: 'who', attrs: { tabindex: '-1' } }, ...headingText(view));
  const org = view.technician.org;
  const identity = h(
    'p',
    { className: 'identity' },
    h('span', { className: 'muted', text: `${s.verifiedAs} ` }),
    h('span', { className: 'identity-value' }, isolated(view.technician.group), ...(org ? [' · ', isolated(org)] : [])),
  );

  const digits = view.verificationCode;
  const code = h(
    'section',
    { className: 'code-box', attrs: { 'aria-labelledby': 'code-label' } },
    h('h2', { id: 'code-label', className: 'code-label', text: s.codeLabel }),
    h('p', { className: 'code' }, h('span', { attrs: { 'aria-hidden': 'true' }, text: `${digits.slice(0, 3)} ${digits.slice(3)}` }), h('span', { className: 'visually-hidden', text: digits.split('').join(' ') })),
    h('p', { className: 'code-hint', text: view.kind === 'escalation' ? s.codeHintEscalation : s.codeHint }),
  );

  const { fieldset: scopeSet, checkboxes } = renderScopeList(view);
  const confirm = view.confirmCode === undefined ? undefined : renderConfirmBox(view.confirmCode, maxCodeTries);
  const { details, openTicket } = renderDetails(view);
  // A real button beside the details, never drawn on them or their fade: it must read as something to press.
  const showMore = h('button', { className: 'button button-secondary show-more', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'consent-details', hidden: '' }, text: s.showMore });

  const scroller = h(
    'div',
    { className: 'consent-scroll' },
    h(
      'header',
      // Unattended and emergency requests colour the whole top bar and say so in words, not only in a badge.
      { className: view.mode.kind === 'attended' ? 'topbar' : `topbar mode-strip mode-strip-${view.mode.kind}` },
      // IT's own name, when policy gives one, is the brand the user knows.
      h('span', { className: 'brand' }, h('span', { className: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), view.itWording?.displayName ? isolated(view.itWording.displayName) : strings.product),
      view.mode.kind === 'attended'
        ? h('span', { className: 'kicker', text: { session: s.heading, escalation: s.escalationHeading, schedule: s.scheduleHeading }[view.kind] })
        : h('span', { className: 'kicker mode-title', text: modeTitle(view) }),
      view.mode.kind === 'attended' ? modeBadge(view.mode, 'prompt') : null,
    ),
    itLine(view),
    h('div', { className: 'intro' }, heading, identity, nameWarning(view)),
    code,
    renderAlreadyGranted(view),
    scopeSet,
    confirm?.box ?? null,
    // The button sits outside the clipped box, beside it, so neither the fade nor the clip touches it or its focus ring.
    h('div', { className: 'details-wrap' }, details, showMore),
  );

  const queued = h('p', { className: 'queued muted small' });
  const countdown = h('p', { className: 'countdown', attrs: { role: 'timer', 'aria-live': 'off' } });
  const decline = h('button', { className: 'button button-secondary', attrs: { type: 'button' }, text: s.decline });
  const allow = h('button', { className: 'button button-primary', attrs: { type: 'button', 'aria-disabled': 'true', 'aria-describedby': 'allow-hint' }, text: view.kind === 'schedule' ? s.agree : s.allow });
  const hint = h('p', { id: 'allow-hint', className: 'hint small muted' });
  const status = h('p', { className: 'status', attrs: { role: 'status' } });
  const footer = h(
    'footer',
    { className: 'actions-bar' },
    h('div', { className: 'timing' }, countdown, queued),
    h('div', { className: 'actions' }, decline, allow),
    hint,
    status,
  );
  const root = h('div', { className: `consent-body consent-${view.kind}` }, scroller, footer);
  return { root, scroller, heading, scopeSet, checkboxes, allow, decline, openTicket, confirmInput: confirm?.input, details, showMore, countdown, queued, hint, status };
}

/** How the user was reached, ticket, time, how it was authorised, then the technician's own words: clipped first when space runs out. */
function renderDetails(view: ConsentView): { details: HTMLElement; openTicket: HTMLButtonElement | undefined } {
  let openTicket: HTMLButtonElement | undefined;
  const ticketValue = h('span', { className: 'ticket' }, isolated(view.ticket.id, 'ticket-id'));
  if (view.ticket.url) {
    openTicket = h('button', { className: 'link-button', attrs: { type: 'button', 'aria-label': s.openTicketLabel(view.ticket.id) }, text: s.openTicket });
    ticketValue.append(openTicket, h('span', { className: 'muted ticket-host' }, isolated(new URL(view.ticket.url).host)));
  }
  const facts: [string, string | Node][] = view.window
    ? [
        [s.windowFact, s.windowExact(dateTime(view.window.startsAt), dateTime(view.window.endsAt))],
        [s.ticket, ticketValue],
      ]
    : [
        [s.ticket, ticketValue],
        [s.estimate, s.minutes(view.estimatedMinutes)],
      ];
  if (view.extendMinutes !== undefined) facts.push([s.extension, s.minutes(view.extendMinutes)]);
  // A manager approval asks a present user first: what their answer does to it, beside who approved it.
  const ifAway: [string, string][] = view.approvalIfNoAnswer === true ? [[s.ifYouDecline, s.approvalNotUsed], [s.ifNobodyAnswers, s.approvalApplies]] : [];
  const modeDetails = [...modeFacts(view.mode), ...ifAway];
  const modePanel =
    modeDetails.length > 0
      ? h(
          'section',
          { className: `mode-panel mode-${view.mode.kind}`, attrs: { 'aria-label': modeTitle(view) } },
          factList(modeDetails.map(([l, v]) => [l, isolatedBlock(v)])),
        )
      : null;
  const words = h(
    'section',
    { className: 'technician-words', attrs: { 'aria-labelledby': 'words-title' } },
    h('h2', { id: 'words-title', className: 'words-title' }, ...sentence(s.technicianWords, view.technician.name)),
    h('p', { className: 'words-note small muted', text: s.technicianWordsNote }),
    h('blockquote', { className: 'words-text' }, isolatedBlock(view.reason)),
    contactNote(view),
  );
  // How they reached the user leads the details: read first when there is room, clipped with them when not.
  // What agreeing to a window means leads its details: read first when there is room, behind "Show more" when not.
  const windowHint = view.window ? h('p', { className: 'window-hint small', text: s.windowHint }) : null;
  // ... except for a request a manager approved: who approved it, and that the user decides, come first.
  const parts = view.approvalIfNoAnswer === true ? [modePanel, contactLine(view), factList(facts)] : [contactLine(view), factList(facts), modePanel];
  const details = h('div', { className: 'details', id: 'consent-details' }, windowHint, ...parts, words);
  return { details, openTicket };
}

/** Who asks for what: a new session, more access, or a window to agree to ("Alice would like to connect tonight 18:00-20:00 ..."). */
function headingText(view: ConsentView): (Node | string)[] {
  const name = view.technician.name;
  if (!view.window) return sentence(view.kind === 'session' ? s.wantsToConnect : s.wantsMore, name, 'who-name');
  // A non-breaking hyphen keeps "18:00-20:00" on one line.
  const when = windowWords(view.window.startsAt, view.window.endsAt, Date.now(), { dash: '\u2011' });
  return sentenceOf(s.wantsWindow, [name, when, view.ticket.id, view.scopes.join(', ')], ['who-name', 'window-when', 'ticket-id']);
}

/** IT's own line from policy: "We will never ask for your password. Not sure? Call 555-0100". */
function itLine(view: ConsentView): HTMLElement | null {
  const { customLine, supportPhone } = view.itWording ?? {};
  if (!customLine && !supportPhone) return null;
  return h(
    'p',
    { className: 'it-line small' },
    customLine ? isolated(customLine) : null,
    supportPhone ? h('span', { className: 'support-phone' }, ...sentence(s.supportPhone, supportPhone, 'phone')) : null,
  );
}

/** A name that mixes alphabets or wears symbols is shown with a warning (the audit records the same flags). */
function nameWarning(view: ConsentView): HTMLElement | null {
  const warnings = identityWarnings(view.technician);
  if (warnings.length === 0) return null;
  return h(
    'div',
    { className: 'name-warning', attrs: { role: 'note' } },
    h('p', { className: 'name-warning-title' }, h('span', { attrs: { 'aria-hidden': 'true' }, text: '⚠ ' }), s.nameWarningTitle),
    ...warnings.map((w) => h('p', { className: 'small', text: s.nameWarnings[w] })),
  );
}

function modeTitle(view: ConsentView): string {
  if (view.mode.kind === 'emergency') return s.emergencyTitle;
  return view.approvalIfNoAnswer === true ? s.approvalIfAwayTitle : s.unattendedTitle;
}
