// Builds the end-of-session summary from a validated SummaryView (text only).
import { SCOPES } from '../../src/shared/page-protocol.js';
import type { SummaryView } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { h } from '../common/element.js';
import { factList } from '../common/mode-badge.js';
import { byteSize, dateTime, spokenDuration, timeOfDay } from '../common/time-format.js';
import { technicianLine } from '../common/technician-line.js';

const s = strings.summary;

export interface SummaryDom {
  root: HTMLElement;
  copy: HTMLButtonElement;
  close: HTMLButtonElement;
  status: HTMLElement;
}

const GOOD_OUTCOMES: readonly SummaryView['outcome'][] = ['accepted', 'partial'];

/** `question`: the "Is your problem solved?" card, shown right under the facts. */
export function renderSummary(view: SummaryView, question?: Node): SummaryDom {
  const outcome = h('span', { className: `badge ${GOOD_OUTCOMES.includes(view.outcome) ? 'badge-attended' : 'badge-blocked'}`, text: strings.outcomes[view.outcome] });
  const facts = factList([
    [s.technician, technicianLine(view.technician)],
    [s.ticket, h('span', { className: 'ticket-id', text: view.ticket.id })],
    [s.when, `${dateTime(view.startedAt)} – ${timeOfDay(view.endedAt)}`],
    [s.duration, spokenDuration(view.durationSec)],
    [s.mode, s.modes[view.mode]],
    [s.outcome, outcome],
    [s.endedBy, strings.endReasons[view.endedBy]],
  ]);

  const shown = SCOPES.filter((x) => view.scopesGranted.includes(x) || view.scopesUsed.includes(x));
  const yesNo = (v: boolean) => h('td', { className: v ? 'yes' : 'no muted', text: v ? s.yes : s.no });
  const accessTable = h(
    'table',
    { className: 'table' },
    h('caption', { className: 'visually-hidden', text: s.access }),
    h('thead', {}, h('tr', {}, h('th', { attrs: { scope: 'col' }, text: s.accessScope }), h('th', { attrs: { scope: 'col' }, text: s.accessGranted }), h('th', { attrs: { scope: 'col' }, text: s.accessUsed }))),
    h('tbody', {}, ...shown.map((x) => h('tr', {}, h('th', { attrs: { scope: 'row' }, text: strings.scopes[x].title }), yesNo(view.scopesGranted.includes(x)), yesNo(view.scopesUsed.includes(x))))),
  );

  // A declined request has nothing to tabulate: say so instead of an empty table.
  const access = shown.length === 0 ? h('p', { className: 'muted', text: s.noAccess }) : accessTable;
  const transferred = view.files.filter((f) => f.allowed);
  const blocked = view.files.filter((f) => !f.allowed);
  const files = fileTable(transferred, s.files) ?? h('p', { className: 'muted', text: s.noFiles });
  const blockedFiles = fileTable(blocked, s.filesBlocked);

  const narration =
    view.narration.length === 0
      ? h('p', { className: 'muted', text: s.noNarration })
      : h('ol', { className: 'narration-log' }, ...view.narration.map((n) => h('li', { className: n.from === 'user' ? 'from-user' : 'from-technician' }, h('time', { className: 'muted', attrs: { datetime: n.at }, text: timeOfDay(n.at) }), h('span', {}, h('strong', { className: 'who', text: n.from === 'user' ? s.fromUser : view.technician.name }), h('span', { className: 'multiline', attrs: { dir: 'auto' }, text: n.text })))));
  const userSpoke = view.narration.some((n) => n.from === 'user');

  // "What was changed" (seed 003): only when the technician noted something with /note.
  const notes = view.notes ?? [];
  const changes = notes.length === 0 ? null : h('ol', { className: 'narration-log changes-log' }, ...notes.map((n) => h('li', {}, h('time', { className: 'muted', attrs: { datetime: n.at }, text: timeOfDay(n.at) }), h('span', { className: 'multiline', attrs: { dir: 'auto' }, text: n.text }))));

  const copy = h('button', { className: 'button button-secondary', attrs: { type: 'button' }, text: s.copy });
  const close = h('button', { className: 'button button-primary', attrs: { type: 'button' }, text: s.close });
  const status = h('p', { className: 'status small', attrs: { role: 'status' } });
  // A long session lists only its newest files and messages; say how many more there were.
  const omitted = (n: number | undefined, text: (n: number) => string) => (n ? [h('p', { className: 'muted small', text: text(n) })] : []);
  const section = (id: string, title: string, ...body: Node[]) => h('section', { className: 'card section', attrs: { 'aria-labelledby': id } }, h('h2', { id, text: title }), ...body);

  const root = h(
    'div',
    { className: 'summary-body' },
    h('header', { className: 'summary-header' }, h('span', { className: 'brand' }, h('span', { className: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), strings.product), h('h1', { attrs: { tabindex: '-1' }, text: s.heading })),
    h('section', { className: 'card section', attrs: { 'aria-label': s.heading } }, facts),
    question ?? null,
    section('access-title', s.access, access),
    section('files-title', s.files, files, ...omitted(view.filesOmitted, s.filesOmitted)),
    blockedFiles ? section('blocked-title', s.filesBlocked, blockedFiles) : null,
    changes ? section('changes-title', s.changes, h('p', { className: 'muted small', text: s.changesIntro }), changes, ...omitted(view.notesOmitted, s.changesOmitted)) : null,
    section('narration-title', userSpoke ? s.conversation : s.narration, narration, ...omitted(view.narrationOmitted, s.narrationOmitted)),
    h('footer', { className: 'summary-actions' }, status, h('div', { className: 'actions' }, copy, close)),
  );
  return { root, copy, close, status };
}

/** One table of files (transferred, or blocked), or null when there are none. */
function fileTable(files: SummaryView['files'], caption: string): HTMLElement | null {
  if (files.length === 0) return null;
  const s = strings.summary;
  return h(
    'div',
    { className: 'table-scroll' },
    h(
      'table',
      { className: 'table' },
      h('caption', { className: 'visually-hidden', text: caption }),
      h('thead', {}, h('tr', {}, ...[s.fileName, s.fileSize, s.fileDirection, s.fileStatus].map((label) => h('th', { attrs: { scope: 'col' }, text: label })))),
      h(
        'tbody',
        {},
        ...files.map((f) =>
          h(
            'tr',
            {},
            h('th', { className: 'file-name', attrs: { scope: 'row', dir: 'auto' }, text: f.name }),
            h('td', { className: 'num', text: byteSize(f.size) }),
            h('td', { text: strings.directions[f.direction] }),
            h('td', {}, h('span', { className: `badge ${f.allowed ? 'badge-attended' : 'badge-risk'}`, text: f.allowed ? s.fileAllowed : s.fileBlocked })),
          ),
        ),
      ),
    ),
  );
}
