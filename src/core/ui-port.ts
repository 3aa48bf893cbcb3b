// The only way the agent core reaches the screen. The Electron shell, the
// headless daemon (node-notifier) and tests each implement it.
import type { Scope } from '../protocol/scopes.js';
import type { BannerView, ConsentAnswer, ConsentView, SummaryView } from '../shared/view-models.js';

export interface Notification {
  kind: 'unattended-start' | 'session-end' | 'policy-block' | 'request-declined' | 'relay-lost' | 'info';
  title: string;
  body: string;
}

/** What the tray shows: connection and whether a prompt or session is live. */
export interface AgentStatus {
  connection: 'not-configured' | 'connecting' | 'connected' | 'disconnected';
  relayUrl?: string;
  /** While not connected: why the last connect failed (DNS, refused, TLS, pin, HTTP status, relay refusal). */
  connectionProblem?: string;
  /** A consent prompt is on screen. */
  prompting: boolean;
  /** The live session, if any (at most one at a time). */
  session?: { sessionId: string; technicianName: string; ticketId: string; endsAt: string };
  /** Windows the user agreed to in advance and has not cancelled, soonest first (issue 20): the tray lists each with Cancel. */
  agreedWindows?: AgreedWindowStatus[];
}

export interface AgreedWindowStatus {
  windowId: string;
  technicianName: string;
  ticketId: string;
  scopes: Scope[];
  startsAt: string;
  endsAt: string;
}

export interface UiPort {
  /** Called on every status change (tray icon, tooltip, menu). */
  setStatus(status: AgentStatus): void;
  /**
   * Show one consent prompt and resolve with the user's answer. The core never
   * shows two at once. When `signal` aborts (timeout, cancel, relay lost) the
   * implementation closes the prompt and resolves `{kind: 'dismissed'}`.
   */
  showConsent(view: ConsentView, signal: AbortSignal): Promise<ConsentAnswer>;
  /** The number of requests waiting behind the prompt on screen changed (UIs without a queue line omit it). */
  consentQueued?(promptId: string, queued: number): void;
  /** Show or refresh the live-session banner. */
  showBanner(view: BannerView): void;
  hideBanner(sessionId: string): void;
  showSummary(view: SummaryView): void;
  notify(notification: Notification): void;
}
