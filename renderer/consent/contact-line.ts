// "Alice called you about this at 10:32": how the technician says they reached
// the user first, in words next to who asks, and, where IT requires that
// contact, the one rule that makes it worth something ("Only accept if you are
// talking to Alice now"). The technician's own note goes with their words.
import type { ConsentView } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { h } from '../common/element.js';
import { isolated, sentence } from '../common/isolate.js';

const s = strings.consent;

/** The user's local time, with the date only when it was not today. */
export function contactWhen(atIso: string, now: Date = new Date()): string {
  const at = new Date(atIso);
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const sameDay = at.toDateString() === now.toDateString();
  return sameDay ? s.contactToday(time) : s.contactOtherDay(at.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' }), time);
}

export function contactLine(view: ConsentView): HTMLElement | null {
  const c = view.contact;
  if (!c) return null;
  const name = view.technician.name;
  const said = h('p', { className: 'contact-said' }, ...sentence(s.contactBy[c.channel], name), s.contactAt(contactWhen(c.at)));
  const rule = view.contactRequired ? h('p', { className: 'contact-rule' }, ...sentence(s.contactRequired, name)) : null;
  return h('div', { className: 'contact', attrs: { role: 'note' } }, said, rule);
}

/** The note under the technician's words ("called ext. 4411"), or nothing. */
export function contactNote(view: ConsentView): HTMLElement | null {
  const note = view.contact?.note;
  if (!note) return null;
  return h('p', { className: 'contact-note small' }, h('span', { className: 'muted', text: `${s.contactNote} ` }), isolated(note));
}

