// Anti-clickjacking: the Allow button arms only after the page has been
// visible and focused for a full delay, disarms the moment focus or visibility
// is lost (or a new prompt replaces the current one) and needs the whole delay
// again to re-arm. So a click or key meant for another window, or a prompt
// that pops up under the pointer, can never accept. With `requireContentSeen`,
// it also waits until the page reports that what is consented to (the access
// list) is in view, so no layout, zoom or window size can hide it.

export interface ArmClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ArmDelayOptions {
  delayMs: number;
  clock: ArmClock;
  /** Called whenever the armed state flips. */
  onChange(armed: boolean): void;
  /** Also wait for `contentSeen(true)`; `restart()` forgets it again. */
  requireContentSeen?: boolean;
}

export class ArmDelay {
  #armed = false;
  #focused = false;
  #visible = false;
  #contentSeen: boolean;
  #timer: unknown = undefined;
  readonly #opts: ArmDelayOptions;

  constructor(opts: ArmDelayOptions) {
    this.#opts = opts;
    this.#contentSeen = opts.requireContentSeen !== true;
  }

  get armed(): boolean {
    return this.#armed;
  }

  /** Report whether the page is focused and visible; arming restarts from zero whenever either was false. */
  update(state: { focused: boolean; visible: boolean }): void {
    this.#change(() => {
      this.#focused = state.focused;
      this.#visible = state.visible;
    });
  }

  /** Report whether the content that must be seen is in view; the delay counts from when it came into view. */
  contentSeen(seen: boolean): void {
    this.#change(() => {
      this.#contentSeen = seen || this.#opts.requireContentSeen !== true;
    });
  }

  /** Start over (a new prompt replaced the old one): disarm and wait the full delay again. */
  restart(): void {
    this.#disarm();
    if (this.#opts.requireContentSeen === true) this.#contentSeen = false;
    if (this.#ready()) this.#startTimer();
  }

  #ready(): boolean {
    return this.#focused && this.#visible && this.#contentSeen;
  }

  #change(apply: () => void): void {
    const wasReady = this.#ready();
    apply();
    const ready = this.#ready();
    if (!ready) this.#disarm();
    else if (!wasReady) this.#startTimer();
  }

  dispose(): void {
    this.#disarm();
  }

  #startTimer(): void {
    this.#opts.clock.clearTimeout(this.#timer);
    this.#timer = this.#opts.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#set(true);
    }, this.#opts.delayMs);
  }

  #disarm(): void {
    this.#opts.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#set(false);
  }

  #set(armed: boolean): void {
    if (armed === this.#armed) return;
    this.#armed = armed;
    this.#opts.onChange(armed);
  }
}
