// The request form: read into a tech.request and checked with the relay's own
// schema (techRequestSchema) before anything is sent, so a mistake shows next
// to its field in words, not as a refusal after sending. Three modes: attended,
// unattended with a manager approval, emergency (justification and incident).
import { newMessageId } from '../../protocol/frame.js';
import type { ApprovalToken } from '../../protocol/approval.js';
import type { Message } from '../../protocol/messages.js';
import { techRequestSchema } from '../../protocol/messages/session-request.js';
import { SCOPES, type Scope } from '../../protocol/scopes.js';
import { SCOPE_LABELS } from './scope-labels.js';

/** Field id in index.html -> what to say when the schema refuses it. */
const FIELD_WORDS = {
  device: 'Enter the device id: 1 to 64 letters, digits or _ . : - (for example LAPTOP-0042).',
  ticket: 'Enter the ticket id: up to 64 letters, digits or # . _ : / - (for example INC0012345).',
  'ticket-url': 'Enter the full ticket address starting with https:// (or leave it empty).',
  reason: 'Say in up to 500 characters why you need access; the user reads this.',
  scopes: 'Choose at least one kind of access.',
  minutes: 'Enter a whole number of minutes from 1 to 1440.',
  contact: 'Choose how you reached the user.',
  'contact-note': 'Keep the contact note to one line of up to 120 characters.',
  approval: 'Paste the approval token, or drop the approval file here.',
  justification: 'Say in up to 1000 characters why this cannot wait for an approval.',
  incident: 'Enter the incident number (one line, up to 100 characters).',
  'task-id': 'Enter the maintenance task id (one line, up to 100 characters), or leave it empty.',
  targets: 'List up to 50 targets, one per line, each up to 200 characters.',
} as const;
export type FieldId = keyof typeof FIELD_WORDS;

const SCHEMA_PATH_TO_FIELD: Record<string, FieldId> = {
  deviceId: 'device',
  'ticket.id': 'ticket',
  'ticket.url': 'ticket-url',
  reason: 'reason',
  scopes: 'scopes',
  estimatedMinutes: 'minutes',
  'contact.channel': 'contact',
  'contact.note': 'contact-note',
  'approval.token': 'approval',
  'approval.justification': 'justification',
  'approval.incident': 'incident',
  'maintenance.taskId': 'task-id',
  'maintenance.targets': 'targets',
};

export type RequestMode = 'attended' | 'unattended' | 'emergency';

export type FormResult = { ok: true; msg: Message<'tech.request'> } | { ok: false; errors: Map<FieldId, string> };

function fieldOf(path: string): FieldId | undefined {
  if (Object.hasOwn(SCHEMA_PATH_TO_FIELD, path)) return SCHEMA_PATH_TO_FIELD[path];
  const prefix = Object.keys(SCHEMA_PATH_TO_FIELD).find((p) => path.startsWith(`${p}.`));
  return prefix ? SCHEMA_PATH_TO_FIELD[prefix] : undefined;
}

export function requestModeOf(form: HTMLFormElement): RequestMode {
  const mode = new FormData(form).get('mode');
  return mode === 'unattended' || mode === 'emergency' ? mode : 'attended';
}

/** `approval`: the token the approval box read, for an unattended request. */
export function readRequestForm(form: HTMLFormElement, approval: ApprovalToken | undefined, now: Date = new Date()): FormResult {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const mode = requestModeOf(form);
  const ticketUrl = text('ticket-url');
  const minutesText = text('minutes');
  const channel = text('contact');
  const note = text('contact-note');
  const taskId = text('task-id');
  const targets = String(data.get('targets') ?? '').split('\n').map((t) => t.trim()).filter((t) => t !== '');
  const candidate = {
    v: 1,
    type: 'tech.request',
    id: newMessageId(),
    deviceId: text('device'),
    ticket: ticketUrl ? { id: text('ticket'), url: ticketUrl } : { id: text('ticket') },
    reason: String(data.get('reason') ?? ''),
    scopes: data.getAll('scope').map(String),
    mode: mode === 'attended' ? 'attended' : 'unattended',
    estimatedMinutes: /^\d+$/.test(minutesText) ? Number(minutesText) : Number.NaN,
    ...(channel ? { contact: { channel, at: now.toISOString(), ...(note ? { note } : {}) } } : {}),
    ...(mode === 'unattended' && approval ? { approval: { kind: 'manager', token: approval } } : {}),
    ...(mode === 'emergency' ? { approval: { kind: 'emergency', justification: String(data.get('justification') ?? ''), incident: text('incident') } } : {}),
    ...(mode !== 'attended' && taskId ? { maintenance: { taskId, ...(targets.length > 0 ? { targets } : {}) } } : {}),
  };
  const parsed = techRequestSchema.safeParse(candidate);
  const errors = new Map<FieldId, string>();
  // What the schema leaves optional but this form does not: a note needs its channel, unattended needs its token.
  if (!channel && note) errors.set('contact', FIELD_WORDS.contact);
  if (mode === 'unattended' && !approval) errors.set('approval', FIELD_WORDS.approval);
  if (mode !== 'attended' && !taskId && targets.length > 0) errors.set('task-id', 'Enter the maintenance task id the targets belong to.');
  if (parsed.success && errors.size === 0) return { ok: true, msg: parsed.data };
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const field = fieldOf(issue.path.filter((p) => typeof p === 'string').join('.'));
    if (field && !errors.has(field)) errors.set(field, FIELD_WORDS[field]);
  }
  // A refusal the form cannot place still must not pass silently.
  if (errors.size === 0) errors.set('reason', 'The request could not be checked; reload the page.');
  return { ok: false, errors };
}

/** Checkboxes for scopes: only what the relay says this technician may request (all, from an older relay). */
export function renderScopeChoices(box: HTMLElement, allowed: readonly Scope[] | undefined, name = 'scope', checked: readonly Scope[] = ['view']): void {
  const scopes = allowed ?? SCOPES;
  box.replaceChildren(
    ...scopes.map((scope) => {
      const label = document.createElement('label');
      label.className = 'choice';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.name = name;
      input.value = scope;
      input.checked = checked.includes(scope);
      label.append(input, ` ${SCOPE_LABELS[scope]}`);
      return label;
    }),
  );
}
