// The live panel once the session started: time left, the conversation
// (narration out, the user's replies in), notes, more access, send a file, and
// ending with an outcome; after the end, the user's "Is your problem solved?"
// answer. Each control says what became of what it sent.
import { newMessageId } from '../../protocol/frame.js';
import { sessionNarrationSchema, sessionNoteSchema, techScopeRequestSchema, type Message } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import { addLine } from './conversation.js';
import { OUTCOME_LABELS, readCloseForm, type CloseField } from './close-ticket.js';
import { announcementOf, sendAnnouncedFile, type ConsoleWire } from './console-file-sender.js';
import { errorInWords } from './error-words.js';
import { $ } from './live-view.js';
import type { RequestMode } from './request-form.js';
import { renderScopeChoices } from './request-form.js';
import { SCOPE_LABELS } from './scope-labels.js';
import { showTimeLeft } from './time-left.js';

/** How long the relay may take to record a ticket's outcome. */
const CLOSE_TIMEOUT_MS = 20_000;

interface Session {
  sessionId: string;
  ticketId: string;
  mode: RequestMode;
  granted: Scope[];
  live: boolean;
  stopClock: () => void;
  /** The outcome is recorded once (tech.closed), then the form is done. */
  closed: boolean;
}

let wire: ConsoleWire;
let allowed: () => readonly Scope[];
let session: Session | null = null;

const words = (list: readonly Scope[]) => list.map((s) => SCOPE_LABELS[s]).join(', ') || 'nothing';

function say(kind: 'session.narration' | 'session.note'): void {
  if (!session?.live) return;
  const box = $<HTMLTextAreaElement>('say-text');
  const schema = kind === 'session.narration' ? sessionNarrationSchema : sessionNoteSchema;
  const parsed = schema.safeParse({ v: 1, type: kind, id: newMessageId(), sessionId: session.sessionId, text: box.value.trim() });
  if (!parsed.success) {
    $('say-text-error').textContent = 'Write up to 1000 characters of plain text (no control characters).';
    box.setAttribute('aria-invalid', 'true');
    box.focus();
    return;
  }
  $('say-text-error').textContent = '';
  box.removeAttribute('aria-invalid');
  wire.send(parsed.data);
  addLine($('conversation'), kind === 'session.narration' ? 'you' : 'note', parsed.data.text);
  box.value = '';
  box.focus();
}

function askForMore(): void {
  if (!session?.live) return;
  const data = new FormData($<HTMLFormElement>('more'));
  const minutesText = String(data.get('more-minutes') ?? '').trim();
  const candidate = {
    v: 1,
    type: 'tech.scope-request',
    id: newMessageId(),
    sessionId: session.sessionId,
    scopes: data.getAll('more-scope').map(String),
    ...(minutesText ? { extendMinutes: /^\d+$/.test(minutesText) ? Number(minutesText) : Number.NaN } : {}),
    reason: String(data.get('more-reason') ?? ''),
  };
  const parsed = techScopeRequestSchema.safeParse(candidate);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((i) => String(i.path[0] ?? ''));
    $('more-error').textContent = paths.includes('extendMinutes')
      ? 'Enter a whole number of extra minutes from 1 to 1440, or leave it empty.'
      : paths.includes('reason')
        ? 'Say in up to 500 characters why you need more; the user reads this.'
        : 'Choose more access or enter extra minutes.';
    return;
  }
  $('more-error').textContent = '';
  wire.send(parsed.data);
  const asked = [parsed.data.scopes.length > 0 ? words(parsed.data.scopes) : '', parsed.data.extendMinutes ? `${parsed.data.extendMinutes} more minutes` : ''].filter(Boolean).join(' and ');
  $('more-state').textContent = `Asked the user for ${asked}: waiting for the answer.`;
  addLine($('conversation'), 'event', `You asked for ${asked}.`);
  $<HTMLFormElement>('more').reset();
}

async function sendFile(): Promise<void> {
  const s = session;
  const file = $<HTMLInputElement>('file-pick').files?.[0];
  const status = $('file-status');
  if (!s?.live) return;
  if (!file) {
    status.textContent = 'Choose a file first.';
    return;
  }
  $<HTMLButtonElement>('file-send').disabled = true;
  status.textContent = `Checking ${file.name} (computing its sha256) ...`;
  try {
    const a = await announcementOf(file, s.sessionId, s.ticketId);
    if (!a.ok) {
      status.textContent = `Not sent: ${a.detail}`;
      return;
    }
    status.textContent = `Sending ${a.msg.name} (${a.msg.size} bytes, sha256 ${a.msg.sha256}) ...`;
    addLine($('conversation'), 'event', `You sent ${a.msg.name} (${a.msg.size} bytes, sha256 ${a.msg.sha256}).`);
    const r = await sendAnnouncedFile(wire, a.msg, a.bytes);
    const known = r.ok || r.code === 'disconnected' ? undefined : (r.code as Parameters<typeof errorInWords>[0]);
    status.textContent = r.ok ? `Stored on the device: ${r.detail}` : `Not stored: ${known ? errorInWords(known) : 'no answer from the device.'} (${r.detail})`;
    addLine($('conversation'), 'event', r.ok ? `${a.msg.name} was stored on the device.` : `${a.msg.name} was not stored: ${r.detail}.`);
  } finally {
    $<HTMLButtonElement>('file-send').disabled = !session?.live;
    $<HTMLInputElement>('file-pick').value = '';
  }
}

function showCloseErrors(errors: ReadonlyMap<CloseField, string>): void {
  for (const id of ['outcome', 'close-what', 'close-why', 'close-result'] as const) {
    $(`${id}-error`).textContent = errors.get(id) ?? '';
    if (id !== 'outcome') $(id).toggleAttribute('aria-invalid', errors.has(id));
  }
}

/** Records the chosen outcome; `quiet`: from End, where no choice yet is fine. */
export async function recordOutcome(quiet = false): Promise<void> {
  const s = session;
  if (!s || s.closed) return;
  const read = readCloseForm($<HTMLFormElement>('close'), s.ticketId, s.sessionId, s.mode === 'emergency');
  if (read.ok === 'empty') {
    if (!quiet) showCloseErrors(new Map([['outcome', 'Choose how the session ended for the ticket.']]));
    return;
  }
  if (!read.ok) {
    showCloseErrors(read.errors);
    return;
  }
  showCloseErrors(new Map());
  const msg = read.msg;
  $('close-state').textContent = 'Recording the outcome ...';
  $<HTMLButtonElement>('close-send').disabled = true;
  const answer = wire.waiters.wait((m): m is Message<'tech.closed'> | Message<'error'> => (m.type === 'tech.closed' && m.ticketId === msg.ticketId) || (m.type === 'error' && m.re === msg.id), CLOSE_TIMEOUT_MS);
  wire.send(msg);
  const m = await answer;
  if (m?.type === 'tech.closed') {
    s.closed = true;
    $('close-state').textContent = `Outcome recorded for ticket ${msg.ticketId}: ${OUTCOME_LABELS[msg.outcome]}.`;
    for (const el of $<HTMLFormElement>('close').elements) (el as HTMLInputElement).disabled = true;
    return;
  }
  $<HTMLButtonElement>('close-send').disabled = false;
  $('close-state').textContent = m ? `Outcome not recorded: ${errorInWords(m.code)}` : 'Outcome not recorded: no answer from the relay. Try again.';
}

export function bindSessionTools(w: ConsoleWire, allowedScopes: () => readonly Scope[]): void {
  wire = w;
  allowed = allowedScopes;
  $('say').addEventListener('submit', (ev) => {
    ev.preventDefault();
    say('session.narration');
  });
  $('note-send').addEventListener('click', () => say('session.note'));
  $('more').addEventListener('submit', (ev) => {
    ev.preventDefault();
    askForMore();
  });
  $('file-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void sendFile();
  });
  $('close').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void recordOutcome();
  });
}

/** A new request: nothing of the previous session's tools is left. */
export function resetSessionTools(mode: RequestMode): void {
  session?.stopClock();
  session = null;
  $('tools').hidden = true;
  $('close').hidden = true;
  $('time-left').hidden = true;
  $('resolution').hidden = true;
  $('resolution').textContent = '';
  $('conversation').replaceChildren();
  $('file-status').textContent = '';
  $('more-state').textContent = '';
  $('close-state').textContent = '';
  $<HTMLFormElement>('close').reset();
  for (const el of $<HTMLFormElement>('close').elements) (el as HTMLInputElement).disabled = false;
  showCloseErrors(new Map());
  $('doc-fields').hidden = mode !== 'emergency';
}

function setInputsShown(shown: boolean): void {
  $('say').hidden = !shown;
  for (const tool of document.querySelectorAll<HTMLElement>('#tools .tool')) tool.hidden = !shown;
}

function countDown(endsAt: string): void {
  session?.stopClock();
  $('time-left').hidden = false;
  const stop = showTimeLeft($('time-left'), endsAt);
  if (session) session.stopClock = stop;
}

function offerMore(granted: readonly Scope[]): void {
  const more = allowed().filter((s) => !granted.includes(s));
  renderScopeChoices($('more-choices'), more, 'more-scope', []);
  $('more-none').hidden = more.length > 0;
}

export function sessionStarted(msg: Message<'session.started'>, ticketId: string, mode: RequestMode): void {
  session = { sessionId: msg.sessionId, ticketId, mode, granted: [...msg.scopes], live: true, stopClock: () => {}, closed: false };
  $('tools').hidden = false;
  setInputsShown(true);
  $('close').hidden = false;
  $<HTMLButtonElement>('file-send').disabled = false;
  offerMore(msg.scopes);
  countDown(msg.endsAt);
  addLine($('conversation'), 'event', `Session started with ${words(msg.scopes)}.`);
}

export function scopeUpdated(msg: Message<'session.scope-update'>): void {
  if (!session || msg.sessionId !== session.sessionId) return;
  session.granted = [...msg.granted];
  offerMore(msg.granted);
  countDown(msg.endsAt);
  const change = {
    'escalation-accepted': `The user allowed ${words(msg.scopes)}.`,
    'escalation-partial': `The user allowed part of it: ${words(msg.scopes)}.`,
    'escalation-declined': `The user declined ${words(msg.scopes)}.`,
    revoked: `The user took back ${words(msg.scopes)}.`,
    extended: 'The user gave more time.',
  }[msg.change];
  $('more-state').textContent = `${change} Granted now: ${words(msg.granted)}.`;
  addLine($('conversation'), 'event', `${change} Granted now: ${words(msg.granted)}.`);
}

export function userMessage(msg: Message<'session.user-message'>): void {
  if (!session || msg.sessionId !== session.sessionId) return;
  addLine($('conversation'), 'user', msg.quick === 'question' ? `${msg.text} (quick question)` : msg.text, new Date(msg.at));
}

/** The session is over: the tools stop, the outcome form and the user's answer stay. */
export async function sessionEnded(by: string): Promise<void> {
  if (!session) return;
  session.live = false;
  session.stopClock();
  $('time-left').textContent = 'Session over.';
  // The conversation stays as the record of the session; what would send into it goes.
  setInputsShown(false);
  addLine($('conversation'), 'event', `Session ended by ${by}.`);
  await recordOutcome(true);
}

export function summaryArrived(msg: Message<'session.summary'>): void {
  if (!session || msg.summary.sessionId !== session.sessionId) return;
  const used = `Summary: ${msg.summary.durationSec} s, used ${words(msg.summary.scopesUsed)}`;
  // Unattended and emergency sessions may have nobody at the device: no answer is waited for, though one may come.
  if (session.mode !== 'attended') return addLine($('conversation'), 'event', `${used}.`);
  addLine($('conversation'), 'event', `${used}; the user is asked "Is your problem solved?".`);
  $('resolution').hidden = false;
  $('resolution').textContent = 'Waiting for the user\'s answer to "Is your problem solved?" ...';
}

export function resolutionArrived(msg: Message<'session.resolution'>): void {
  if (!session || msg.sessionId !== session.sessionId) return;
  const rating = msg.rating ? `, rating ${msg.rating} of 5` : '';
  $('resolution').hidden = false;
  $('resolution').textContent = `The user answered "Is your problem solved?": ${msg.solved ? 'Yes' : 'No'}${rating}.${msg.comment ? ` "${msg.comment}"` : ''}`;
}

