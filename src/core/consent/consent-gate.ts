// The one path every prompt takes, new session or escalation: the
// per-technician budget, then the bounded queue, then the dialog. It also keeps
// the "a prompt is on screen" flag the tray shows.
import type { DecidedBy } from '../../protocol/messages.js';
import type { Clock } from '../../shared/clock.js';
import type { ConsentView } from '../../shared/view-models.js';
import type { Policy } from '../policy/schema.js';
import type { UiPort } from '../ui-port.js';
import { askUser, type AskResult } from './ask-user.js';
import { PromptQueue, type AbortReason } from './prompt-queue.js';
import { TechnicianPromptLimiter } from './technician-prompt-limiter.js';

export type Admission =
  | { admitted: true }
  | {
      admitted: false;
      decidedBy: Extract<DecidedBy, 'rate-limit' | 'queue-full'>;
      code: 'rate-limited' | 'queue-full';
      detail: string;
    };

export interface ConsentGateDeps {
  policy: Policy;
  ui: UiPort;
  clock: Clock;
  statusChanged: () => void;
}

export class ConsentGate {
  private readonly limiter: TechnicianPromptLimiter;
  private readonly queue: PromptQueue;
  private promptOpen = false;
  /** The prompt on screen, whose "N more waiting" line follows the queue. */
  private onScreen: string | undefined;
  private lastQueuedShown = 0;

  constructor(private readonly d: ConsentGateDeps) {
    this.limiter = new TechnicianPromptLimiter(d.policy.rateLimit);
    this.queue = new PromptQueue(d.policy.queueSize, () => {
      d.statusChanged();
      this.tellQueued();
    });
  }

  get prompting(): boolean {
    return this.promptOpen;
  }

  get waitingCount(): number {
    return this.queue.waitingCount;
  }

  /**
   * Within the technician's budget, put the prompt in line (`beforeQueue` runs just
   * before, since a free queue starts the prompt at once). `run` decides itself when aborted.
   */
  admit(
    technicianId: string,
    promptId: string,
    run: (signal: AbortSignal) => Promise<void>,
    beforeQueue = () => {},
  ): Admission {
    const now = this.d.clock.now();
    const verdict = this.limiter.check(technicianId, now);
    if (verdict !== 'ok') {
      const detail =
        verdict === 'too-many-declines'
          ? 'recent requests from this technician were declined'
          : 'too many requests from this technician';
      return { admitted: false, decidedBy: 'rate-limit', code: 'rate-limited', detail };
    }
    beforeQueue();
    if (!this.queue.offer({ id: promptId, run })) {
      return { admitted: false, decidedBy: 'queue-full', code: 'queue-full', detail: 'too many requests are waiting' };
    }
    this.limiter.notePrompt(technicianId, now);
    return { admitted: true };
  }

  /** The last moment a prompt may stay open: the prompt timeout, or an earlier limit. */
  deadline(...limits: number[]): number {
    return Math.min(this.d.clock.now() + this.d.policy.promptTimeoutSec * 1000, ...limits);
  }

  /** Show the prompt (unless `signal` already aborted) and count a decline against the technician. */
  async ask(technicianId: string, view: ConsentView, signal: AbortSignal, deadline: number): Promise<AskResult> {
    // A job aborted while waiting declines without a dialog: it must not touch the one on screen.
    const shown = !signal.aborted;
    if (shown) {
      this.onScreen = view.promptId;
      this.lastQueuedShown = view.queued;
      this.setPrompting(true);
    }
    let result: AskResult;
    try {
      result = await askUser(this.d.ui, this.d.clock, view, signal, deadline);
    } finally {
      if (shown) {
        this.onScreen = undefined;
        this.setPrompting(false);
      }
    }
    if (countsAsDecline(result)) this.limiter.noteDecline(technicianId, this.d.clock.now());
    return result;
  }

  /** Withdraw one prompt (on screen or waiting); false if there is none with that id. */
  cancel(promptId: string, reason: AbortReason): boolean {
    return this.queue.abort(promptId, reason);
  }

  abortAll(reason: AbortReason): void {
    this.queue.abortAll(reason);
  }

  /** A request joined or left the line while a prompt is up: its count on screen follows (capped as in the view). */
  private tellQueued(): void {
    if (this.onScreen === undefined) return;
    const queued = Math.min(this.queue.waitingCount, 100);
    if (queued === this.lastQueuedShown) return;
    this.lastQueuedShown = queued;
    this.d.ui.consentQueued?.(this.onScreen, queued);
  }

  private setPrompting(on: boolean): void {
    this.promptOpen = on;
    this.d.statusChanged();
  }
}

/** The user said no (Decline, closed, Escape, let it time out, or typed a wrong code): it counts. */
function countsAsDecline(result: AskResult): boolean {
  if (result.kind === 'answer') return result.granted.length === 0;
  const { decidedBy } = result;
  if (result.codeMismatch === true) return true;
  return decidedBy === 'dialog-closed' || decidedBy === 'escape' || decidedBy === 'timeout';
}
