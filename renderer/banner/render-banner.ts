// The live-session bar. Built once, then updated in place on every
// banner:update so keyboard focus and the expanded state survive refreshes.
import { sortScopes } from '../../src/shared/page-protocol.js';
import type { Scope } from '../../src/shared/page-protocol.js';
import type { BannerView } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { h, replaceChildren } from '../common/element.js';
import { isolatedBlock, sentence } from '../common/isolate.js';
import { factList, modeBadge, modeFacts } from '../common/mode-badge.js';
import { technicianLine } from '../common/technician-line.js';
import { timeOfDay } from '../common/time-format.js';
import { ReplyBox } from './reply-box.js';

const s = strings.banner;

export interface BannerHandlers {
  onRevoke(scope: Scope): void;
  onEnd(): void;
  onToggle(expanded: boolean): void;
  onSend(text: string): void;
  onQuickQuestion(): void;
}

export class BannerDom {
  readonly root: HTMLElement;
  readonly timeLeft: HTMLElement;
  readonly end: HTMLButtonElement;
  readonly toggle: HTMLButtonElement;
  readonly #who = h('h1', { className: 'who' });
  readonly #ticket = h('span', { className: 'ticket muted' });
  readonly #grants = h('ul', { className: 'grants', attrs: { 'aria-label': s.access } });
  readonly #narration = h('p', { className: 'narration', attrs: { 'aria-live': 'polite' } });
  // Focusable: it scrolls inside itself when expanded, and keyboard users must be able to scroll it.
  readonly #details = h('section', { id: 'banner-details', className: 'details', attrs: { 'aria-label': s.details, tabindex: '0' } });
  readonly #handlers: BannerHandlers;
  readonly reply: ReplyBox;
  // The details are rebuilt on every update except the reply box, so typing and focus survive a refresh.
  readonly #latestSlot = h('div', { className: 'slot' });
  readonly #factsSlot = h('div', { className: 'slot' });
  #view: BannerView | undefined;
  #expanded = false;
  #pending = new Set<Scope>();

  constructor(handlers: BannerHandlers) {
    this.#handlers = handlers;
    this.timeLeft = h('span', { className: 'time-left', attrs: { role: 'timer', 'aria-live': 'off' } });
    this.toggle = h('button', { className: 'button button-secondary button-small', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'banner-details' }, }, s.details, h('span', { className: 'chevron', attrs: { 'aria-hidden': 'true' } }));
    this.end = h('button', { className: 'button button-danger button-small', attrs: { type: 'button', title: s.endLabel }, text: s.end });
    this.toggle.addEventListener('click', () => this.setExpanded(!this.#expanded));
    this.end.addEventListener('click', () => this.#handlers.onEnd());
    this.#details.hidden = true;
    this.reply = new ReplyBox({ onSend: (text) => this.#handlers.onSend(text), onQuickQuestion: () => this.#handlers.onQuickQuestion() });
    replaceChildren(this.#details, this.#latestSlot, this.reply.root, this.#factsSlot);
    this.root = h(
      'div',
      { className: 'banner-body' },
      h(
        'div',
        { className: 'bar' },
        h('span', { className: 'live' }, h('span', { className: 'live-dot', attrs: { 'aria-hidden': 'true' } }), s.live),
        h('div', { className: 'identity' }, this.#who, this.#ticket),
        this.timeLeft,
        // Narration gives way first: it is also in the tooltip and, in full, in the details.
        h('div', { className: 'bar-access' }, this.#grants, this.#narration),
        h('div', { className: 'bar-actions' }, this.toggle, this.end),
      ),
      this.#details,
    );
  }

  /** The height the banner needs to show everything (CSS px): the bar, plus the details when expanded. */
  naturalHeight(): number {
    const style = getComputedStyle(this.root);
    const borders = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    const bar = this.root.firstElementChild?.getBoundingClientRect().height ?? 0;
    return Math.ceil(bar + borders + (this.#expanded ? this.#details.scrollHeight + 1 : 0));
  }

  get expanded(): boolean {
    return this.#expanded;
  }

  setExpanded(expanded: boolean): void {
    if (expanded === this.#expanded) return;
    this.#expanded = expanded;
    this.#details.hidden = !expanded;
    this.toggle.setAttribute('aria-expanded', String(expanded));
    // Same label in both states, so End never moves; the chevron and aria-expanded say which.
    this.toggle.classList.toggle('is-open', expanded);
    this.root.classList.toggle('is-expanded', expanded);
    this.#handlers.onToggle(expanded);
  }

  /** A revoke was sent: keep its control disabled until main confirms with a new view. */
  markPending(scope: Scope): void {
    this.#pending.add(scope);
    const button = this.#grants.querySelector<HTMLButtonElement>(`button[data-scope="${scope}"]`);
    if (button) button.disabled = true;
  }

  update(view: BannerView): void {
    const who = view.screen?.input ? s.controlsScreen : view.screen?.open ? s.seesScreen : s.connected;
    replaceChildren(this.#who, ...sentence(who, view.technician.name));
    this.#who.title = who(view.technician.name);
    replaceChildren(this.#ticket, ...sentence(s.ticket, view.ticket.id));
    this.#narration.textContent = view.latestNarration?.text ?? s.noNarration;
    this.#narration.dir = 'auto';
    // The bar truncates long narration; the full text is in the tooltip and the details.
    this.#narration.title = view.latestNarration?.text ?? '';
    this.#narration.classList.toggle('muted', !view.latestNarration);
    this.#pending = new Set([...this.#pending].filter((scope) => view.granted.includes(scope)));
    this.#renderGrants(view.granted);
    this.#renderDetails(view);
    this.reply.update(view, this.#view);
    this.#view = view;
  }

  #renderGrants(granted: readonly Scope[]): void {
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.scope : undefined;
    const items = sortScopes(granted).map((scope) => {
      const text = strings.scopes[scope];
      const revoke = h('button', { className: 'revoke', attrs: { type: 'button', 'aria-label': s.revokeLabel(text.title), title: s.revokeLabel(text.title), 'data-scope': scope } }, h('span', { attrs: { 'aria-hidden': 'true' }, text: '×' }));
      revoke.disabled = this.#pending.has(scope);
      revoke.addEventListener('click', () => this.#handlers.onRevoke(scope));
      return h('li', { className: 'grant' }, h('span', { text: text.short }), revoke);
    });
    replaceChildren(this.#grants, ...items);
    if (focused) {
      // Keep the keyboard user's place; if that scope is gone, land on End.
      const again = this.#grants.querySelector<HTMLButtonElement>(`button[data-scope="${focused}"]`);
      (again ?? this.end).focus();
    }
  }

  #renderDetails(view: BannerView): void {
    const facts: [string, string | Node][] = [
      [strings.summary.technician, technicianLine(view.technician)],
      [s.mode, modeBadge(view.mode, 'session')],
      ...modeFacts(view.mode).map(([label, value]): [string, Node] => [label, h('span', { className: 'multiline', text: value })]),
      [s.started, timeOfDay(view.startedAt)],
      [s.ends, timeOfDay(view.endsAt)],
    ];
    const scopeLines = h(
      'ul',
      { className: 'grant-details' },
      ...sortScopes(view.granted).map((scope) => h('li', {}, h('strong', { text: strings.scopes[scope].title }), ' — ', strings.scopes[scope].detail)),
    );
    // First in the details: what the technician last wrote, labelled as their words.
    const latest = view.latestNarration
      ? h(
          'div',
          { className: 'latest technician-words' },
          h('h2', { text: s.latest }),
          h('p', { className: 'muted small', text: timeOfDay(view.latestNarration.at) }),
          isolatedBlock(view.latestNarration.text, 'multiline words-text'),
        )
      : null;
    replaceChildren(this.#latestSlot, latest);
    replaceChildren(this.#factsSlot, factList(facts), h('div', { className: 'latest' }, h('h2', { text: s.access }), scopeLines));
  }
}
