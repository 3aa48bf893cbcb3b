// Consent dialog controller: shows one prompt at a time from the bridge,
// enforces the arm delay and keyboard rules, sends exactly one answer per prompt.
import '../common/zod-jitless.js';
import { sortScopes } from '../../src/shared/page-protocol.js';
import type { Scope } from '../../src/shared/page-protocol.js';
import { identifier } from '../../src/shared/page-protocol.js';
import { parseIpcPayload } from '../../src/shared/ipc-contract.js';
import type { ConsentBridge } from '../../src/shared/ipc-contract.js';
import type { ConsentAnswer, ConsentView } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { ArmDelay } from '../common/arm-delay.js';
import { trackWindowFocus } from '../common/window-focus.js';
import { announce } from '../common/announcer.js';
import { bridgeFor } from '../common/bridge.js';
import { startCountdown, windowClock } from '../common/countdown.js';
import { byId, h, replaceChildren } from '../common/element.js';
import { clock, spokenDuration } from '../common/time-format.js';
import { guardKeyboard } from './keyboard-guard.js';
import { renderConsent } from './render-consent.js';
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
  stopCountdown(): void;
}

function start(bridge: ConsentBridge): void {
  const app = byId('app');
  document.title = s.documentTitle;
  let current: Prompt | undefined;

  const arm = new ArmDelay({ delayMs: ARM_DELAY_MS, clock: windowClock, onChange: () => refreshAllow() });
  trackWindowFocus(arm);
  const keys = guardKeyboard(document, {
    get allow() {
      return current?.dom.allow ?? app;
    },
    isArmed: () => arm.armed,
    onEscape: () => send(null),
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
    if (current.answered) dom.hint.textContent = '';
    else if (selected(current).length === 0) dom.hint.textContent = s.selectOne;
    else if (!codeTyped(current)) dom.hint.textContent = current.wrongCodes > 0 ? s.confirmWrong(MAX_WRONG_CODES - current.wrongCodes) : s.confirmNeeded;
    else dom.hint.textContent = arm.armed ? '' : s.armingHint;
  }

  /** A full-length wrong code is cleared and counted; too many decline the prompt. */
  function checkCode(p: Prompt): void {
    const input = p.dom.confirmInput;
    const code = p.view.confirmCode;
    if (!input || code === undefined || p.answered) return;
    const digits = input.value.replace(/[^0-9]/g, '').slice(0, code.length);
    if (digits !== input.value) input.value = digits;
    if (digits.length === code.length && digits !== code) {
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
  function send(granted: Scope[] | null, declinedStatus: string = s.sentDeclined, reason?: 'code-failed'): void {
    const p = current;
    if (!p || p.answered) return;
    p.answered = true;
    p.stopCountdown();
    for (const box of p.dom.checkboxes.values()) box.disabled = true;
    p.dom.decline.disabled = true;
    p.dom.allow.disabled = true;
    if (p.dom.confirmInput) p.dom.confirmInput.disabled = true;
    // What the user typed (Allow only sends once it matches); main's core compares it again.
    const typed = p.dom.confirmInput ? { confirmCode: p.dom.confirmInput.value } : {};
    // `code-failed` tells the core to stop asking in this session (someone may be guessing).
    const message: ConsentAnswer = granted === null ? { kind: 'dismissed', promptId: p.view.promptId, ...(reason ? { reason } : {}) } : { kind: 'decision', promptId: p.view.promptId, granted, ...typed };
    const allowed = message.kind === 'decision' && message.granted.length > 0;
    p.dom.status.textContent = allowed ? s.sentAllowed : declinedStatus;
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
    const dom = renderConsent(view);
    const prompt: Prompt = { view, dom, answered: false, wrongCodes: 0, stopCountdown: () => {} };
    current = prompt;
    replaceChildren(app, dom.root);
    app.removeAttribute('aria-busy');

    for (const box of dom.checkboxes.values()) box.addEventListener('change', refreshAllow);
    dom.confirmInput?.addEventListener('input', () => checkCode(prompt));
    dom.decline.addEventListener('click', () => send(null));
    dom.allow.addEventListener('click', (e) => {
      // Only a real press that began and ended while armed accepts, and only after the code was typed.
      const pressOk = keys.takePress();
      if (!e.isTrusted || !arm.armed || !pressOk || prompt.answered || !codeTyped(prompt)) return;
      const granted = selected(prompt);
      if (granted.length === 0) return;
      send(granted);
    });
    const url = view.ticket.url;
    if (dom.openTicket && url) dom.openTicket.addEventListener('click', () => bridge.openTicket(url));

    let lastAnnounced = -1;
    prompt.stopCountdown = startCountdown({
      deadlineMs: Date.parse(view.expiresAt),
      clock: windowClock,
      onTick: (ms) => {
        dom.countdown.textContent = s.countdown(clock(ms));
        const sec = Math.ceil(ms / 1000);
        if (ANNOUNCE_AT_SEC.has(sec) && sec !== lastAnnounced) {
          lastAnnounced = sec;
          announce(s.countdownAnnounce(spokenDuration(sec)));
        }
      },
      onExpire: () => send(null),
    });
    announce(`${s.arrived(view.technician.name)} ${s.countdownAnnounce(spokenDuration(Math.ceil((Date.parse(view.expiresAt) - Date.now()) / 1000)))}`);

    // A prompt that replaces another must wait the full delay again.
    arm.restart();
    refreshAllow();
    dom.heading.focus();
  }

  bridge.onShow(show);
  bridge.ready();
}

const bridge = bridgeFor('consent');
if (bridge) start(bridge);
else byId('app').textContent = s.waiting;
