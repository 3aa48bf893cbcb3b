// What each banner button does, in one place: the banner window and the
// end-to-end harnesses dispatch the page's actions the same way.
import type { Scope } from '../protocol/scopes.js';
import type { BannerAction, ResolutionAnswer } from '../shared/view-models.js';

/** What the banner buttons do; set once the agent exists. */
export interface SessionActions {
  revokeScope(sessionId: string, scope: Scope): Promise<boolean>;
  endSession(sessionId: string): Promise<boolean>;
  /** The reply box (text) or the quick question; the core audits, rate-limits and sends it. */
  sendUserMessage(sessionId: string, text: string | { quick: 'question' }): Promise<unknown>;
  /** The summary page's "Is your problem solved?" answer, after the session. */
  sendResolution(answer: ResolutionAnswer): Promise<unknown>;
}

export function dispatchBannerAction(actions: SessionActions, action: BannerAction): Promise<unknown> {
  switch (action.kind) {
    case 'end-session':
      return actions.endSession(action.sessionId);
    case 'revoke-scope':
      return actions.revokeScope(action.sessionId, action.scope);
    case 'user-message':
      return actions.sendUserMessage(action.sessionId, action.text);
    case 'quick-question':
      return actions.sendUserMessage(action.sessionId, { quick: 'question' });
  }
}
