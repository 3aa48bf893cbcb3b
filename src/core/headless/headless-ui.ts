// The UI port of the headless daemon (servers, kiosks): nobody sits at a
// screen, so prompts are dismissed at once (the core already declines
// attended requests with no-user-present before asking), every event becomes
// one log line, and notifications go to any logged-in desktop user. A failing
// notifier is logged, never fatal.
import { terminalText } from '../../protocol/text-policy.js';
import type { BannerView, ConsentAnswer, ConsentView, SummaryView } from '../../shared/view-models.js';
import { CONNECT_FAILURE_REPEAT_MS } from '../connection/connect-failure.js';
import type { AgentStatus, Notification, UiPort } from '../ui-port.js';
import type { DesktopNotifier } from './desktop-notifier.js';

export interface HeadlessUiOptions {
  notifier: DesktopNotifier;
  /** One event, one line (no newline). */
  log: (line: string) => void;
  /** Wall clock for de-duplicating repeated notices (tests pass their own). */
  now?: () => number;
}

/** A repeated identical notice (e.g. "the relay refused this device" on every retry) pops up at most this often. */
export const REPEAT_NOTICE_MS = 60 * 60_000;
/** Distinct notices remembered for de-duplication; the least recently shown are forgotten first. */
export const MAX_REMEMBERED_NOTICES = 256;

export class HeadlessUi implements UiPort {
  private lastStatus = '';
  private lastCause: { text: string; at: number } | undefined;
  private readonly pending = new Set<Promise<void>>();
  private readonly lastShown = new Map<string, number>();

  constructor(private readonly o: HeadlessUiOptions) {}

  setStatus(status: AgentStatus): void {
    // Status is pushed on every change of anything; log only what an operator cares about.
    const session = status.session ? `, session ${status.session.sessionId} (ticket ${status.session.ticketId}, ${status.session.technicianName}) until ${status.session.endsAt}` : ', no session';
    // A failed connect names its cause once, not at every retry's connecting/disconnected line:
    // a new cause at once, the same one again after CONNECT_FAILURE_REPEAT_MS.
    const problem = status.connectionProblem;
    const now = this.o.now?.() ?? Date.now();
    const showCause = problem !== undefined && (this.lastCause?.text !== problem || now - this.lastCause.at >= CONNECT_FAILURE_REPEAT_MS);
    const line = `status: ${status.connection}${status.relayUrl ? ` ${status.relayUrl}` : ''}${session}${showCause ? `; cause: ${oneLine(problem)}` : ''}`;
    // Connected (the problem cleared): the next failure is news even if it is the same cause.
    if (problem === undefined) this.lastCause = undefined;
    if (line === this.lastStatus) return;
    if (showCause) this.lastCause = { text: problem, at: now };
    this.lastStatus = line;
    this.o.log(line);
  }

  showConsent(view: ConsentView, _signal: AbortSignal): Promise<ConsentAnswer> {
    this.o.log(`consent: prompt ${view.promptId} for ticket ${view.ticket.id} dismissed, no user present`);
    return Promise.resolve({ kind: 'dismissed', promptId: view.promptId });
  }

  showBanner(view: BannerView): void {
    const narration = view.latestNarration ? `; narration: ${oneLine(view.latestNarration.text)}` : '';
    this.o.log(`session: ${view.sessionId} ${describeMode(view.mode)} ticket ${view.ticket.id} by ${oneLine(view.technician.name)}, granted ${view.granted.join(',') || 'nothing'} until ${view.endsAt}${narration}`);
  }

  hideBanner(sessionId: string): void {
    this.o.log(`session: ${sessionId} no longer live`);
  }

  showSummary(view: SummaryView): void {
    this.o.log(`summary: ${view.sessionId} ticket ${view.ticket.id} ended by ${view.endedBy} after ${view.durationSec}s, scopes ${view.scopesGranted.join(',') || 'none'}, ${view.files.length} files, ${view.narration.length} narration messages`);
  }

  notify(n: Notification): void {
    this.o.log(`notify (${n.kind}): ${oneLine(n.title)}: ${oneLine(n.body)}`);
    // Session notices always reach the desktop; a status notice repeated by every reconnect attempt does not.
    if (n.kind === 'info' || n.kind === 'relay-lost') {
      const key = `${n.kind}\n${n.title}\n${n.body}`;
      const now = (this.o.now ?? Date.now)();
      const last = this.lastShown.get(key);
      if (last !== undefined && now - last < REPEAT_NOTICE_MS) return;
      this.rememberShown(key, now);
    }
    const shown = this.o.notifier
      .notify(n.title, n.body)
      .catch((err: unknown) => this.o.log(`notify failed: the desktop notification could not be shown (${oneLine(err instanceof Error ? err.message : String(err))})`))
      .finally(() => this.pending.delete(shown));
    this.pending.add(shown);
  }

  /** Distinct notices remembered for de-duplication (tests check the bound). */
  get rememberedNotices(): number {
    return this.lastShown.size;
  }

  private rememberShown(key: string, now: number): void {
    this.lastShown.delete(key); // re-insert: Map order is then least recently shown first
    this.lastShown.set(key, now);
    if (this.lastShown.size <= MAX_REMEMBERED_NOTICES) return;
    for (const [k, at] of this.lastShown) if (now - at >= REPEAT_NOTICE_MS) this.lastShown.delete(k);
    // Evict an eighth more than needed, so this sweep runs once per many notices, not on each.
    for (const k of this.lastShown.keys()) {
      if (this.lastShown.size <= MAX_REMEMBERED_NOTICES - MAX_REMEMBERED_NOTICES / 8) break;
      this.lastShown.delete(k);
    }
  }

  /** Resolves once every notification attempt so far has finished (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

function describeMode(mode: BannerView['mode']): string {
  if (mode.kind === 'unattended') return `unattended (approved by ${oneLine(mode.approver)}, ref ${oneLine(mode.reference)})`;
  if (mode.kind === 'emergency') return `emergency (incident ${oneLine(mode.incident)})`;
  return 'attended';
}

/** Keep one event on one log line, whatever the network sent. */
function oneLine(text: string): string {
  // Line breaks become spaces; any other control, invisible or direction character is shown as <U+XXXX>.
  return terminalText(text.replace(/[\r\n\u2028\u2029]+/g, ' ').slice(0, 300));
}
