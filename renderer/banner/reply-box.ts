// The user's side of the conversation (issue 20): a reply box and an
// "I have a question" quick action in the banner's details. The page checks
// the text against the same policy the core and relay apply, so the user is
// told at once why a message cannot go, instead of it silently vanishing.
import { strings } from '../../src/shared/strings.js';
import { userMessageText as userText, type BannerView } from '../../src/shared/view-models.js';
import { h } from '../common/element.js';
import { isolatedBlock } from '../common/isolate.js';
import { timeOfDay } from '../common/time-format.js';

const s = strings.banner;
const MAX_CHARS = 1000;

export interface ReplyHandlers {
  onSend(text: string): void;
  onQuickQuestion(): void;
}

export class ReplyBox {
  readonly root: HTMLElement;
  readonly input: HTMLTextAreaElement;
  readonly send: HTMLButtonElement;
  readonly quick: HTMLButtonElement;
  readonly #status = h('p', { className: 'reply-status muted small', attrs: { role: 'status', 'aria-live': 'polite' } });
  readonly #mine = h('div', { className: 'reply-mine' });
  #heading = h('h2', { id: 'reply-heading', text: s.reply });
  /** `at` of the message we are waiting to see confirmed in a view. */
  #waitingSince: string | undefined;
  #paused = false;

  constructor(private readonly handlers: ReplyHandlers) {
    this.input = h('textarea', { className: 'text-box reply-input', attrs: { rows: '2', maxlength: String(MAX_CHARS), 'aria-labelledby': 'reply-heading', 'aria-describedby': 'reply-status' } });
    this.#status.id = 'reply-status';
    this.send = h('button', { className: 'button button-primary button-small', attrs: { type: 'submit' }, text: s.replySend });
    this.quick = h('button', { className: 'button button-secondary button-small', attrs: { type: 'button' }, text: s.quickQuestion });
    const form = h('form', { className: 'reply-form' }, this.input, h('div', { className: 'reply-actions' }, this.send, this.quick));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#submit();
    });
    // Enter sends, Shift+Enter starts a new line (as in chat apps).
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.#submit();
      }
    });
    this.quick.addEventListener('click', () => {
      if (this.#paused) return;
      this.#waitingSince = 'quick';
      this.#status.textContent = s.replySending;
      this.handlers.onQuickQuestion();
    });
    this.root = h('div', { className: 'latest reply' }, this.#heading, this.#mine, form, this.#status);
  }

  #submit(): void {
    if (this.#paused) return;
    const text = this.input.value.normalize('NFC').replace(/\r\n?/g, '\n');
    const parsed = userText.safeParse(text);
    if (!parsed.success) {
      this.#status.textContent = s.replyInvalid;
      this.#status.classList.add('reply-error');
      return;
    }
    this.#status.classList.remove('reply-error');
    this.#waitingSince = 'text';
    this.#status.textContent = s.replySending;
    this.input.value = '';
    this.handlers.onSend(parsed.data);
  }

  update(view: BannerView, previous: BannerView | undefined): void {
    this.#heading.textContent = s.replyLabel(view.technician.name);
    this.quick.title = s.quickQuestionLabel(view.technician.name);
    const mine = view.latestUserMessage;
    this.#mine.replaceChildren(...(mine ? [h('p', { className: 'muted small', text: `${s.replyYouSaid}, ${timeOfDay(mine.at)}` }), isolatedBlock(mine.text, 'multiline')] : []));
    this.#paused = view.replyPausedUntil !== undefined;
    this.send.disabled = this.#paused;
    this.quick.disabled = this.#paused;
    if (view.replyPausedUntil) {
      this.#status.textContent = s.replyPaused(timeOfDay(view.replyPausedUntil));
      this.#waitingSince = undefined;
    } else if (this.#waitingSince && mine && mine.at !== previous?.latestUserMessage?.at) {
      this.#status.textContent = s.replySent(timeOfDay(mine.at));
      this.#waitingSince = undefined;
    }
  }
}
