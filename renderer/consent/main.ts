// Consent dialog controller: shows one prompt at a time from the bridge,
// enforces the arm delay and keyboard rules, sends exactly one answer per prompt.
import '../common/zod-jitless.js';
import { sortScopes } from '../../src/shared/page-protocol.js';
import type { Scope } from '../../src/shared/page-protocol.js';
import { identifier } from '../../src/shared/page-protocol.js';
import { parseIpcPayload } from '../../src/shared/ipc-contract.js';
import type { ConsentBridge } from '../../src/shared/ipc-contract.js';
import { CONFIRM_CODE_LENGTH } from '../../src/shared/view-models.js';
import type { ConsentAnswer, ConsentView, DismissReason } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { ArmDelay } from '../common/arm-delay.js';
import { trackWindowFocus } from '../common/window-focus.js';
import { announce } from '../common/announcer.js';
import { bridgeFor } from '../common/bridge.js';
import { startCountdown, windowClock } from '../common/countdown.js';
import { byId, h, replaceChildren } from '../common/element.js';
import { clock, spokenDuration } from '../common/time-format.js';
import { guardKeyboard } from './keyboard-guard.js';
import { watchListInView } from './list-watch.js';
import { renderConsent } from './render-consent.js';
import { fitDetails } from './show-more.js';
import { warmUpLayout } from './warm-up.js';
import type { ConsentDom } from './render-consent.js';

const ARM_DELAY_MS = 1000;
/** Seconds before expiry at which the countdown is read out. */
const ANNOUNCE_AT_SEC = new Set([60, 30, 10]);

const s = strings.consent;

/** Wrong confirmation codes before the prompt declines (a blind guesser gets this many of 1000). */
const MAX_WRONG_CODES = 3;

interface Prompt {
  view: ConsentView;
  dom: ConsentDom;
  answered: boolean;
  wrongCodes: number;
  /** The whole access list is (or, for a list taller than the window, was) on screen. */
  listInView: boolean;
  stopCountdown(): void;
  stopWatching(): void;
}

function start(bridge: ConsentBridge): void {
  const app = byId('app');
  document.title = s.documentTitle;
  let current: Prompt | undefined;

  // Allow also waits for the access list to be on screen for the whole delay.
  const arm = new ArmDelay({ delayMs: ARM_DELAY_MS, clock: windowClock, onChange: () => refreshAllow(), requireContentSeen: true });
  trackWindowFocus(arm);
  const keys = guardKeyboard(document, {
    get allow() {
      return current?.dom.allow ?? app;
    },
    isArmed: () => arm.armed,
    onEscape: () => send(null, s.sentDeclined, 'escape'),
  });

  function selected(p: Prompt) {
    return sortScopes([...p.dom.checkboxes].filter(([, box]) => box.checked).map(([scope]) => scope));
  }

  /** No code asked for, or the one shown was typed. */
  function codeTyped(p: Prompt): boolean {
    return p.view.confirmCode === undefined || p.dom.confirmInput?.value === p.view.confirmCode;
  }

  function refreshAllow(): void {
    if (!current) return;
    const { dom } = current;
    const usable = arm.armed && !current.answered && selected(current).length > 0 && codeTyped(current);
    dom.allow.setAttribute('aria-disabled', String(!usable));
    dom.hint.textContent = hintFor(current);
  }

  function hintFor(p: Prompt): string {
    if (p.answered) return '';
    if (selected(p).length === 0) return s.selectOne;
    const typed = p.dom.confirmInput?.value ?? '';
    if (p.view.confirmCode !== undefined && typed.length > CONFIRM_CODE_LENGTH) return s.confirmTooLong(CONFIRM_CODE_LENGTH);
    if (!codeTyped(p)) return p.wrongCodes > 0 ? s.confirmWrong(MAX_WRONG_CODES - p.wrongCodes) : s.confirmNeeded;
    const agree = p.view.kind === 'schedule';
    if (!p.listInView) return agree ? s.listNotSeenAgree : s.listNotSeen;
    return arm.armed ? '' : agree ? s.armingHintAgree : s.armingHint;
  }

  /** While typing: digits only, and nothing is counted (a pasted 6-digit verification code just says it is too long). */
  function tidyCode(p: Prompt): void {
    const input = p.dom.confirmInput;
    if (!input || p.answered) return;
    const digits = input.value.replace(/[^0-9]/g, '');
    if (digits !== input.value) input.value = digits;
    refreshAllow();
  }

  /** On Enter, leaving the field or Allow: a wrong code of exactly the right length is cleared and counted. */
  function submitCode(p: Prompt): void {
    const input = p.dom.confirmInput;
    const code = p.view.confirmCode;
    if (!input || code === undefined || p.answered) return;
    if (input.value.length === code.length && input.value !== code) {
      p.wrongCodes++;
      input.value = '';
      if (p.wrongCodes >= MAX_WRONG_CODES) {
        send(null, s.confirmTooMany, 'code-failed');
        return;
      }
    }
    refreshAllow();
  }

  /** Answer the current prompt once: the granted scopes, or null to decline it all (dismissed). */
  function send(granted: Scope[] | null, declinedStatus: string = s.sentDeclined, reason?: DismissReason): void {
    const p = current;
    if (!p || p.answered) return;
    p.answered = true;
    p.stopCountdown();
    p.stopWatching();
    // The decision is made: no countdown or queue line next to "declined" or "sent".
    p.dom.countdown.textContent = '';
    p.dom.queued.textContent = '';
    for (const box of p.dom.checkboxes.values()) box.disabled = true;
    p.dom.decline.disabled = true;
    p.dom.allow.disabled = true;
    if (p.dom.confirmInput) p.dom.confirmInput.disabled = true;
    // What the user typed (Allow only sends once it matches); main's core compares it again.
    const typed = p.dom.confirmInput ? { confirmCode: p.dom.confirmInput.value } : {};
    // `code-failed` tells the core to stop asking in this session (someone may be guessing);
    // the other reasons say how the user said no, each its own `decidedBy` in the audit.
    const message: ConsentAnswer = granted === null ? { kind: 'dismissed', promptId: p.view.promptId, ...(reason ? { reason } : {}) } : { kind: 'decision', promptId: p.view.promptId, granted, ...typed };
    const allowed = message.kind === 'decision' && message.granted.length > 0;
    p.dom.status.textContent = allowed ? (p.view.kind === 'schedule' ? s.sentAgreed : s.sentAllowed) : declinedStatus;
    refreshAllow();
    bridge.answer(message);
  }

  function show(raw: unknown): void {
    const parsed = parseIpcPayload('consent:show', raw);
    current?.stopCountdown();
    if (!parsed.ok) {
      // Unreadable prompt: show nothing of it, decline it if we can tell which one it was.
      current = undefined;
      replaceChildren(app, h('p', { className: 'invalid', attrs: { role: 'alert' }, text: strings.invalid }));
      const promptId = identifier.safeParse((raw as { promptId?: unknown } | null)?.promptId);
      if (promptId.success) bridge.answer({ kind: 'dismissed', promptId: promptId.data });
      return;
    }
    const view = parsed.payload;
    current?.stopWatching();
    const dom = renderConsent(view, MAX_WRONG_CODES);
    const prompt: Prompt = { view, dom, answered: false, wrongCodes: 0, listInView: false, stopCountdown: () => {}, stopWatching: () => {} };
    current = prompt;
    replaceChildren(app, dom.root);
    app.removeAttribute('aria-busy');
    showQueued(prompt, view.queued);
    const stopFit = fitDetails(dom.details, dom.showMore, dom.scroller);
    const stopList = watchListInView(dom.scopeSet, dom.scroller, (inView) => {
      // Reflected for styling and for tests, which must not advance a fake clock before the observer has reported.
      dom.scopeSet.dataset.inView = String(inView);
      // Once armed with the list seen, scrolling on to read the details does not take Allow away.
      if (!inView && arm.armed) return;
      prompt.listInView = inView;
      if (current === prompt) arm.contentSeen(inView);
      refreshAllow();
    });
    prompt.stopWatching = () => {
      stopFit();
      stopList();
    };

    for (const box of dom.checkboxes.values()) box.addEventListener('change', refreshAllow);
    dom.confirmInput?.addEventListener('input', () => tidyCode(prompt));
    dom.confirmInput?.addEventListener('change', () => submitCode(prompt));
    dom.decline.addEventListener('click', () => send(null, s.sentDeclined, 'declined'));
    dom.allow.addEventListener('click', (e) => {
      // Only a real press that began and ended while armed accepts, and only after the code was typed.
      const pressOk = keys.takePress();
      if (!e.isTrusted || !arm.armed || !pressOk || prompt.answered) return;
      if (!codeTyped(prompt)) {
        submitCode(prompt);
        return;
      }
      const granted = selected(prompt);
      if (granted.length === 0) return;
      send(granted);
    });
    const url = view.ticket.url;
    if (dom.openTicket && url) dom.openTicket.addEventListener('click', () => bridge.openTicket(url));

    let lastAnnounced = -1;
    const approval = view.approvalIfNoAnswer === true;
    const countdownAnnounce = approval ? s.approvalCountdownAnnounce : s.countdownAnnounce;
    prompt.stopCountdown = startCountdown({
      deadlineMs: Date.parse(view.expiresAt),
      clock: windowClock,
      onTick: (ms) => {
        dom.countdown.textContent = (approval ? s.approvalCountdown : s.countdown)(clock(ms));
        const sec = Math.ceil(ms / 1000);
        if (ANNOUNCE_AT_SEC.has(sec) && sec !== lastAnnounced) {
          lastAnnounced = sec;
          announce(countdownAnnounce(spokenDuration(sec)));
        }
      },
      // Without an answer a manager approval applies (the core decides; the page only says what happens).
      onExpire: () => send(null, approval ? s.sentApprovalApplies : s.sentDeclined, 'timeout'),
    });
    announce(`${s.arrived(view.technician.name)} ${countdownAnnounce(spokenDuration(Math.ceil((Date.parse(view.expiresAt) - Date.now()) / 1000)))}`);

    // A prompt that replaces another must wait the full delay again.
    arm.restart();
    refreshAllow();
    // Read first by screen readers; the dialog stays scrolled to its top.
    dom.heading.focus({ preventScroll: true });
  }

  function showQueued(p: Prompt, n: number): void {
    p.dom.queued.textContent = n > 0 && !p.answered ? s.queued(n) : '';
  }

  warmUpLayout(MAX_WRONG_CODES);
  bridge.onShow(show);
  bridge.onQueued((raw) => {
    const parsed = parseIpcPayload('consent:queued', raw);
    if (parsed.ok && current && parsed.payload.promptId === current.view.promptId) showQueued(current, parsed.payload.queued);
  });
  bridge.ready();
}

const bridge = bridgeFor('consent');
if (bridge) start(bridge);
else byId('app').textContent = s.waiting;
