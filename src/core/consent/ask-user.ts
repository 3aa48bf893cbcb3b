// Shows one prompt and turns every way it can end into an answer: the user's
// scopes, or a decline saying why (closed, timeout, cancel, relay lost, restart).
import type { DecidedBy } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import type { ConsentView } from '../../shared/view-models.js';
import type { Clock } from '../../shared/clock.js';
import type { UiPort } from '../ui-port.js';
import type { AbortReason } from './prompt-queue.js';

/**
 * `codeMismatch`: the prompt asked for a confirmation code and got a wrong one
 * (or the dialog gave up after wrong tries).
 */
export type AskResult =
  { kind: 'answer'; granted: Scope[] } | { kind: 'declined'; decidedBy: DecidedBy; codeMismatch?: true };

const DECIDED_BY_ABORT: Record<AbortReason, DecidedBy> = {
  timeout: 'timeout',
  cancelled: 'cancelled',
  'relay-lost': 'relay-lost',
  'agent-restart': 'agent-restart',
};

export function declinedBecause(signal: AbortSignal): AskResult {
  return { kind: 'declined', decidedBy: DECIDED_BY_ABORT[signal.reason as AbortReason] ?? 'dialog-closed' };
}

export async function askUser(
  ui: UiPort,
  clock: Clock,
  view: ConsentView,
  signal: AbortSignal,
  deadline: number,
): Promise<AskResult> {
  if (signal.aborted) return declinedBecause(signal);
  if (deadline <= clock.now()) return { kind: 'declined', decidedBy: 'timeout' };
  const local = new AbortController();
  const forward = () => local.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  const timer = clock.setTimeout(() => local.abort('timeout'), deadline - clock.now());
  // A UI that ignores the signal can't hold the queue: the abort wins the race.
  const aborted = new Promise<undefined>((resolve) =>
    local.signal.addEventListener('abort', () => resolve(undefined), { once: true }),
  );
  try {
    const answer = await Promise.race([ui.showConsent(view, local.signal), aborted]);
    if (local.signal.aborted || answer === undefined) return declinedBecause(local.signal);
    if (answer.promptId !== view.promptId) return { kind: 'declined', decidedBy: 'dialog-closed' };
    if (answer.kind === 'dismissed' && answer.reason === 'declined') return { kind: 'answer', granted: [] };
    if (answer.kind === 'dismissed' && answer.reason === 'escape') return { kind: 'declined', decidedBy: 'escape' };
    if (answer.kind === 'dismissed' && answer.reason === 'timeout') return { kind: 'declined', decidedBy: 'timeout' };
    if (answer.kind === 'dismissed')
      return {
        kind: 'declined',
        decidedBy: 'dialog-closed',
        ...(view.confirmCode !== undefined && answer.reason === 'code-failed' ? { codeMismatch: true as const } : {}),
      };
    // Only a person who read the capture-protected dialog knows its code: no match, no answer (default deny).
    // The dialog only sends a matching code, so anything else is a guess or a blind click,
    // and the caller stops prompting.
    if (view.confirmCode !== undefined && answer.confirmCode !== view.confirmCode)
      return { kind: 'declined', decidedBy: 'dialog-closed', codeMismatch: true };
    return { kind: 'answer', granted: view.scopes.filter((s) => answer.granted.includes(s)) };
  } catch {
    return { kind: 'declined', decidedBy: 'dialog-closed' };
  } finally {
    clock.clearTimeout(timer);
    signal.removeEventListener('abort', forward);
    if (!local.signal.aborted) local.abort('cancelled');
  }
}
