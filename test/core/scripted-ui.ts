// A UiPort for tests: records everything and holds each consent prompt until
// the test answers it (or the core aborts it).
import type { AgentStatus, Notification, UiPort } from '../../src/core/ui-port.js';
import type { BannerView, ConsentAnswer, ConsentView, SummaryView } from '../../src/shared/view-models.js';
import { bannerViewSchema, consentViewSchema, summaryViewSchema } from '../../src/shared/view-models.js';
import type { Scope } from '../../src/protocol/index.js';
import { within } from '../support/bounded-wait.js';

interface OpenPrompt {
  view: ConsentView;
  signal: AbortSignal;
  resolve: (a: ConsentAnswer) => void;
}

export class ScriptedUi implements UiPort {
  readonly statuses: AgentStatus[] = [];
  readonly prompts: ConsentView[] = [];
  readonly aborted: { promptId: string; reason: unknown }[] = [];
  readonly banners: BannerView[] = [];
  readonly hidden: string[] = [];
  readonly summaries: SummaryView[] = [];
  readonly notifications: Notification[] = [];
  /** Every "N more waiting" update for the prompt on screen: [promptId, queued]. */
  readonly queuedUpdates: [string, number][] = [];
  private open = new Map<string, OpenPrompt>();
  private promptWaiters: ((v: ConsentView) => void)[] = [];
  /** Max prompts ever open at once (must stay 1). */
  maxOpen = 0;

  setStatus(status: AgentStatus): void {
    this.statuses.push(status);
  }

  showConsent(view: ConsentView, signal: AbortSignal): Promise<ConsentAnswer> {
    consentViewSchema.parse(view);
    this.prompts.push(view);
    return new Promise((resolve) => {
      this.open.set(view.promptId, { view, signal, resolve });
      this.maxOpen = Math.max(this.maxOpen, this.open.size);
      signal.addEventListener('abort', () => {
        if (!this.open.delete(view.promptId)) return;
        this.aborted.push({ promptId: view.promptId, reason: signal.reason });
        resolve({ kind: 'dismissed', promptId: view.promptId });
      });
      for (const w of this.promptWaiters.splice(0)) w(view);
    });
  }

  consentQueued(promptId: string, queued: number): void {
    this.queuedUpdates.push([promptId, queued]);
  }

  showBanner(view: BannerView): void {
    bannerViewSchema.parse(view);
    this.banners.push(view);
  }

  hideBanner(sessionId: string): void {
    this.hidden.push(sessionId);
  }

  showSummary(view: SummaryView): void {
    summaryViewSchema.parse(view);
    this.summaries.push(view);
  }

  notify(n: Notification): void {
    this.notifications.push(n);
  }

  /** The prompt currently on screen, waiting for one if none is. */
  nextPrompt(): Promise<ConsentView> {
    const current = [...this.open.values()][0];
    if (current) return Promise.resolve(current.view);
    let waiter: (v: ConsentView) => void = () => {};
    const shown = new Promise<ConsentView>((r) => {
      waiter = r;
      this.promptWaiters.push(r);
    });
    return within(shown, 'a consent prompt on screen', () => this.describe()).finally(() => {
      this.promptWaiters = this.promptWaiters.filter((w) => w !== waiter);
    });
  }

  /** What the UI has shown so far, for a failed wait's message. */
  describe(): string {
    const last = <T>(xs: T[]) => (xs.length > 0 ? JSON.stringify(xs.at(-1)).slice(0, 300) : 'none');
    return `${this.prompts.length} prompt(s) (${this.aborted.length} aborted), ${this.notifications.length} notification(s), last: ${last(this.notifications)}, status: ${last(this.statuses)}`;
  }

  get openPrompts(): number {
    return this.open.size;
  }

  /**
   * The user answers; when the dialog asks for its confirmation code they type the one shown, unless `typed` says otherwise.
   * `code-failed`: the dialog gave up after too many wrong codes (what the consent page sends).
   */
  answer(promptId: string, granted: Scope[] | 'dismiss' | 'code-failed', typed?: { confirmCode?: string }): void {
    const p = this.open.get(promptId);
    if (!p) throw new Error(`no open prompt ${promptId}`);
    this.open.delete(promptId);
    const code = typed ? typed.confirmCode : p.view.confirmCode;
    if (granted === 'code-failed') p.resolve({ kind: 'dismissed', promptId, reason: 'code-failed' });
    else p.resolve(granted === 'dismiss' ? { kind: 'dismissed', promptId } : { kind: 'decision', promptId, granted, ...(code !== undefined ? { confirmCode: code } : {}) });
  }
}
