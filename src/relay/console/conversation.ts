// The session's conversation: what the technician told the user (narration),
// the user's replies from the banner (session.user-message), notes and what
// happened, in one list in the order it happened. Text only, never markup.

export type Speaker = 'you' | 'user' | 'note' | 'event';

const WHO: Record<Speaker, string> = { you: 'You', user: 'User', note: 'Note', event: '' };

/** A session's conversation is bounded like the wire's: the oldest lines go first. */
const MAX_LINES = 500;

export function addLine(list: HTMLElement, speaker: Speaker, text: string, at: Date = new Date()): void {
  const li = document.createElement('li');
  li.className = `line ${speaker}`;
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = `${at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}${WHO[speaker] ? ` ${WHO[speaker]}` : ''}`;
  const body = document.createElement('span');
  body.className = 'body';
  body.textContent = text;
  li.append(meta, body);
  list.append(li);
  while (list.childElementCount > MAX_LINES) list.firstElementChild?.remove();
  // Only the list scrolls to the newest line: the panel keeps the code and the decision in view.
  list.scrollTop = list.scrollHeight;
}
