// Ending with an outcome: how the support session ended for the ticket
// (tech.close: resolved / follow-up / escalated) and, after an emergency, the
// three documentation fields (what / why / result), checked with the relay's
// own schema (techCloseSchema) so a gap shows next to its field in words.
import { newMessageId } from '../../protocol/frame.js';
import { techCloseSchema, type Message } from '../../protocol/messages.js';

export const OUTCOME_LABELS = { resolved: 'Resolved', escalated: 'Not resolved (escalated)', 'follow-up': 'Follow-up needed' } as const;

const DOC_WORDS = {
  what: 'Say what you did (up to 1000 characters).',
  why: 'Say why it had to be done as an emergency (up to 1000 characters).',
  result: 'Say how it turned out (up to 1000 characters).',
} as const;
export type CloseField = 'outcome' | 'close-what' | 'close-why' | 'close-result';

export type CloseRead = { ok: true; msg: Message<'tech.close'> } | { ok: false; errors: Map<CloseField, string> } | { ok: 'empty' };

export function readCloseForm(form: HTMLFormElement, ticketId: string, sessionId: string | undefined, emergency: boolean): CloseRead {
  const data = new FormData(form);
  const outcome = data.get('outcome');
  const doc = { what: String(data.get('what') ?? ''), why: String(data.get('why') ?? ''), result: String(data.get('result') ?? '') };
  const errors = new Map<CloseField, string>();
  if (outcome === null) {
    if (!emergency) return { ok: 'empty' };
    errors.set('outcome', 'Choose how the session ended for the ticket.');
  }
  const parsed = techCloseSchema.safeParse({
    v: 1,
    type: 'tech.close',
    id: newMessageId(),
    ticketId,
    ...(sessionId ? { sessionId } : {}),
    outcome: outcome ?? 'resolved',
    ...(emergency ? { documentation: doc } : {}),
  });
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const key = issue.path.at(-1);
    if (key === 'what' || key === 'why' || key === 'result') errors.set(`close-${key}`, DOC_WORDS[key]);
    else if (key === 'outcome') errors.set('outcome', 'Choose how the session ended for the ticket.');
  }
  if (parsed.success && errors.size === 0) return { ok: true, msg: parsed.data };
  if (errors.size === 0) errors.set('outcome', 'The outcome could not be checked; reload the page.');
  return { ok: false, errors };
}
