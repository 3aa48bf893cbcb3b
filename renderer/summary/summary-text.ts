// "Copy details": the summary as plain text, for pasting into a ticket or mail.
import type { SummaryView } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { technicianLine } from '../common/technician-line.js';
import { byteSize, dateTime, spokenDuration, timeOfDay } from '../common/time-format.js';

const s = strings.summary;

export function summaryText(view: SummaryView): string {
  const scopeTitles = (list: readonly (keyof typeof strings.scopes)[]) => (list.length > 0 ? list.map((x) => strings.scopes[x].title).join(', ') : '—');
  const lines = [
    s.heading,
    '',
    `${s.technician}: ${technicianLine(view.technician)}`,
    `${s.ticket}: ${view.ticket.id}${view.ticket.url ? ` <${view.ticket.url}>` : ''}`,
    `${s.when}: ${dateTime(view.startedAt)} – ${timeOfDay(view.endedAt)}`,
    `${s.duration}: ${spokenDuration(view.durationSec)}`,
    `${s.mode}: ${s.modes[view.mode]}`,
    `${s.outcome}: ${strings.outcomes[view.outcome]}`,
    `${s.endedBy}: ${strings.endReasons[view.endedBy]}`,
    `${s.accessGranted}: ${scopeTitles(view.scopesGranted)}`,
    `${s.accessUsed}: ${scopeTitles(view.scopesUsed)}`,
    '',
    `${s.files}:`,
    ...(view.files.length > 0
      ? view.files.map((f) => `  ${f.name} — ${byteSize(f.size)} — ${strings.directions[f.direction]} — ${f.allowed ? s.fileAllowed : s.fileBlocked} — sha256 ${f.sha256}`)
      : [`  ${s.noFiles}`]),
    ...(view.filesOmitted ? [`  ${s.filesOmitted(view.filesOmitted)}`] : []),
    '',
    ...(view.notes && view.notes.length > 0
      ? [`${s.changes}:`, ...view.notes.map((n) => `  ${timeOfDay(n.at)}  ${n.text.replace(/\n/g, '\n    ')}`), ...(view.notesOmitted ? [`  ${s.changesOmitted(view.notesOmitted)}`] : []), '']
      : []),
    `${view.narration.some((n) => n.from === 'user') ? s.conversation : s.narration}:`,
    ...(view.narration.length > 0 ? view.narration.map((n) => `  ${timeOfDay(n.at)}  ${n.from === 'user' ? s.fromUser : view.technician.name}: ${n.text.replace(/\n/g, '\n    ')}`) : [`  ${s.noNarration}`]),
    ...(view.narrationOmitted ? [`  ${s.narrationOmitted(view.narrationOmitted)}`] : []),
    '',
    s.sessionId(view.sessionId),
  ];
  return lines.join('\n');
}
