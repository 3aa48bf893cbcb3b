// The request form: read into a tech.request and checked with the relay's own
// schema (techRequestSchema) before anything is sent, so a mistake shows next
// to its field in words, not as a refusal after sending.
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import { techRequestSchema } from '../../protocol/messages/session-request.js';
import { SCOPES, type Scope } from '../../protocol/scopes.js';

/** Field id in index.html -> what to say when the schema refuses it. */
const FIELD_WORDS = {
  device: 'Enter the device id: 1 to 64 letters, digits or _ . : - (for example LAPTOP-0042).',
  ticket: 'Enter the ticket id: up to 64 letters, digits or # . _ : / - (for example INC0012345).',
  'ticket-url': 'Enter the full ticket address starting with https:// (or leave it empty).',
  reason: 'Say in up to 500 characters why you need access; the user reads this.',
  scopes: 'Choose at least one kind of access.',
  minutes: 'Enter a whole number of minutes from 1 to 1440.',
} as const;
export type FieldId = keyof typeof FIELD_WORDS;

const SCHEMA_PATH_TO_FIELD: Record<string, FieldId> = {
  deviceId: 'device',
  'ticket.id': 'ticket',
  'ticket.url': 'ticket-url',
  reason: 'reason',
  scopes: 'scopes',
  estimatedMinutes: 'minutes',
};

export const SCOPE_LABELS: Record<Scope, string> = { view: 'View', control: 'Control', admin: 'Admin', 'file-transfer': 'File transfer' };

export type FormResult = { ok: true; msg: Message<'tech.request'> } | { ok: false; errors: Map<FieldId, string> };

export function readRequestForm(form: HTMLFormElement): FormResult {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const ticketUrl = text('ticket-url');
  const minutesText = text('minutes');
  const candidate = {
    v: 1,
    type: 'tech.request',
    id: newMessageId(),
    deviceId: text('device'),
    ticket: ticketUrl ? { id: text('ticket'), url: ticketUrl } : { id: text('ticket') },
    reason: String(data.get('reason') ?? ''),
    scopes: data.getAll('scope').map(String),
    mode: 'attended',
    estimatedMinutes: /^\d+$/.test(minutesText) ? Number(minutesText) : Number.NaN,
  };
  const parsed = techRequestSchema.safeParse(candidate);
  if (parsed.success) return { ok: true, msg: parsed.data };
  const errors = new Map<FieldId, string>();
  for (const issue of parsed.error.issues) {
    const path = issue.path.filter((p) => typeof p === 'string').join('.');
    const field = SCHEMA_PATH_TO_FIELD[path] ?? (path.startsWith('scopes') ? 'scopes' : undefined);
    if (field && !errors.has(field)) errors.set(field, FIELD_WORDS[field]);
  }
  // A refusal the form cannot place still must not pass silently.
  if (errors.size === 0) errors.set('reason', 'The request could not be checked; reload the page.');
  return { ok: false, errors };
}

/** The access checkboxes: only what the relay says this technician may request (all, from an older relay). */
export function renderScopeChoices(box: HTMLElement, allowed: readonly Scope[] | undefined): void {
  const scopes = allowed ?? SCOPES;
  box.replaceChildren(
    ...scopes.map((scope) => {
      const label = document.createElement('label');
      label.className = 'choice';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.name = 'scope';
      input.value = scope;
      input.checked = scope === 'view';
      label.append(input, ` ${SCOPE_LABELS[scope]}`);
      return label;
    }),
  );
}
