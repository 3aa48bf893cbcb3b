// Builds the settings page from a validated SettingsView (text only). Rows the
// person may change get a labelled control; rows IT locked keep their control
// but disabled, with a lock and "Set by your IT department"; rows only IT can
// set are shown as read-only values. Every control is described by its hint,
// its source and its inline status line.
import { SCOPES, type Scope } from '../../src/shared/page-protocol.js';
import type { SettingRow, SettingRowId, SettingsView } from '../../src/shared/settings-view.js';
import { strings } from '../../src/shared/strings.js';
import { h } from '../common/element.js';
import { byteSize } from '../common/time-format.js';

const s = strings.settings;

/** Where each row goes on the page. */
const SECTIONS: { id: string; title: string; intro?: string; rows: readonly SettingRowId[] }[] = [
  { id: 'preferences', title: s.preferences, rows: ['startAtLogin', 'promptTimeoutSec', 'maxSessionMinutes', 'allowedScopes'] },
  { id: 'connection', title: s.connection, intro: s.connectionIntro, rows: ['relayUrl', 'relayKeyFingerprint', 'approvalsKeyFingerprint', 'relayTlsPin'] },
  {
    id: 'organisation',
    title: s.organisation,
    intro: s.organisationIntro,
    rows: ['unattendedAllowed', 'emergencyAllowed', 'fileTransferMaxBytes', 'fileTransferRequireTicket', 'retentionDays', 'allowQuit'],
  },
  { id: 'it-wording', title: s.itWording, intro: s.itWordingIntro, rows: ['itDisplayName', 'itConsentLine', 'itSupportPhone'] },
];

/** Rows shown as controls (enabled, or disabled when locked); the rest are values. */
const CONTROL_ROWS: readonly SettingRowId[] = ['startAtLogin', 'promptTimeoutSec', 'maxSessionMinutes', 'allowedScopes'];

export type ChangeListener = (id: SettingRowId, value: boolean | number | Scope[] | { invalid: string }) => void;

/** One rendered row: update it in place (focus stays where it is) and show its status. */
export interface RowHandle {
  id: SettingRowId;
  element: HTMLElement;
  status: HTMLElement;
  update(row: SettingRow): void;
  /** Show the last row main sent again (a refusal that carried no row): a refused value never stays in the field. */
  revert(): void;
  setBusy(busy: boolean): void;
}

export interface SettingsDom {
  root: HTMLElement;
  close: HTMLButtonElement;
  rows: Map<SettingRowId, RowHandle>;
}

function lockIcon(): HTMLElement {
  return h('span', { className: 'lock-icon', attrs: { 'aria-hidden': 'true' } });
}

/** "Set by your IT department" with a lock, "Your choice" or "Default". */
function sourceLine(id: SettingRowId): { element: HTMLElement; update(row: SettingRow): void } {
  const text = h('span');
  const element = h('p', { className: 'setting-source small', id: `source-${id}` });
  return {
    element,
    update(row) {
      text.textContent = s.sources[row.source];
      element.classList.toggle('is-locked', row.locked);
      element.replaceChildren(...(row.locked ? [lockIcon(), text] : [text]));
    },
  };
}

function valueText(row: SettingRow): string {
  switch (row.kind) {
    case 'toggle':
      return row.id === 'unattendedAllowed' || row.id === 'emergencyAllowed' ? (row.value ? s.allowed : s.notAllowed) : row.value ? s.on : s.off;
    case 'number':
      return `${row.value} ${s.units[row.unit]}`;
    case 'bytes':
      return byteSize(row.value);
    case 'scopes':
      return row.value.length === 0 ? s.noScopes : SCOPES.filter((x) => row.value.includes(x)).map((x) => strings.scopes[x].title).join(', ');
    case 'text':
      return row.value ?? s.notSet;
  }
}

/** Values read out and compared character by character; words (the relay URL, IT's wording) stay in the text face. */
const COMPARED_BY_CHARACTER: readonly SettingRowId[] = ['relayKeyFingerprint', 'approvalsKeyFingerprint', 'relayTlsPin'];

/** Characters from which a text value goes on its own line. */
const OWN_LINE_FROM = 30;

/** A read-only row: label, hint, value, source. */
function valueRow(row: SettingRow): RowHandle {
  const copy = s.rows[row.id];
  // Its own bidi paragraph: a right-to-left name or a phone number keeps its order and moves nothing around it.
  const value = h('dd', { className: 'setting-value', attrs: { dir: 'auto' } });
  const source = sourceLine(row.id);
  const status = h('p', { className: 'row-status small', id: `status-${row.id}` });
  const element = h(
    'div',
    { className: 'setting setting-readonly', attrs: { 'data-row': row.id } },
    h('dt', { className: 'setting-label', text: copy.label }),
    value,
    h('dd', { className: 'setting-hint muted small', text: copy.detail }),
    h('dd', {}, source.element),
  );
  const update = (next: SettingRow) => {
    value.textContent = valueText(next);
    value.classList.toggle('muted', next.kind === 'text' && next.value === null);
    // Fingerprints and pins are compared character by character: monospace, on their own line.
    value.classList.toggle('mono', next.kind === 'text' && next.value !== null && COMPARED_BY_CHARACTER.includes(next.id));
    // A fingerprint or a sentence gets a line of its own instead of squeezing the label beside it.
    value.classList.toggle('own-line', next.kind === 'text' && next.value !== null && (COMPARED_BY_CHARACTER.includes(next.id) || next.value.length > OWN_LINE_FROM));
    source.update(next);
  };
  update(row);
  let last = row;
  const remember = (next: SettingRow) => {
    last = next;
    update(next);
  };
  return { id: row.id, element, status, update: remember, revert: () => update(last), setBusy: () => undefined };
}

/** A preference: a labelled checkbox, number field or set of scope checkboxes. */
function controlRow(row: SettingRow, onChange: ChangeListener): RowHandle {
  const id = row.id;
  const copy = s.rows[id];
  const source = sourceLine(id);
  const status = h('p', { className: 'row-status small', id: `status-${id}`, attrs: { role: 'status' } });
  const hintId = `hint-${id}`;
  const describedBy = `${hintId} source-${id} status-${id}`;
  const hint = h('p', { className: 'setting-hint muted small', id: hintId, text: copy.detail });
  const element = h('div', { className: 'setting', attrs: { 'data-row': id } });
  let update: (next: SettingRow) => void;
  let inputs: HTMLInputElement[];

  if (row.kind === 'toggle') {
    const box = h('input', { id: `control-${id}`, attrs: { type: 'checkbox', 'aria-describedby': describedBy } });
    box.addEventListener('change', () => onChange(id, box.checked));
    inputs = [box];
    element.classList.add('setting-kind-toggle');
    element.append(h('div', { className: 'setting-toggle' }, box, h('label', { className: 'setting-label', attrs: { for: box.id }, text: copy.label })), hint);
    update = (next) => {
      if (next.kind === 'toggle') box.checked = next.value;
    };
  } else if (row.kind === 'number') {
    const boundsId = `bounds-${id}`;
    const field = h('input', { id: `control-${id}`, className: 'number-input', attrs: { type: 'number', step: '1', inputmode: 'numeric', 'aria-describedby': `${boundsId} ${describedBy}` } });
    const unit = h('span', { className: 'unit' });
    const bounds = h('span', { className: 'muted small', id: boundsId });
    let last = row;
    field.addEventListener('change', () => {
      const n = Number(field.value);
      if (field.value.trim() !== '' && Number.isInteger(n) && n >= last.min && n <= last.max) return onChange(id, n);
      // Never leave a value in the field that is not stored: put the stored one back and say so.
      field.value = String(last.value);
      onChange(id, { invalid: `${s.outOfRange(last.min, last.max)} ${s.keptValue(last.value, s.units[last.unit])}` });
    });
    inputs = [field];
    element.append(h('label', { className: 'setting-label', attrs: { for: field.id }, text: copy.label }), hint, h('div', { className: 'setting-number' }, field, unit, bounds));
    update = (next) => {
      if (next.kind !== 'number') return;
      last = next;
      field.value = String(next.value);
      field.min = String(next.min);
      field.max = String(next.max);
      unit.textContent = s.units[next.unit];
      bounds.textContent = next.editable ? `(${s.bounds(next.min, next.max, s.units[next.unit])})` : '';
    };
  } else if (row.kind === 'scopes') {
    const boxes = new Map<Scope, HTMLInputElement>();
    const list = h('div', { className: 'scope-options' });
    const legend = h('legend', { className: 'setting-label', text: copy.label });
    const fieldset = h('fieldset', { className: 'setting-scopes', attrs: { 'aria-describedby': describedBy } }, legend, hint, list);
    const send = () => onChange(id, SCOPES.filter((x) => boxes.get(x)?.checked === true));
    update = (next) => {
      if (next.kind !== 'scopes') return;
      // Options only change with policy; rebuild them then, otherwise just tick.
      const options = SCOPES.filter((x) => next.options.includes(x) || next.value.includes(x));
      if (options.join() !== [...boxes.keys()].join()) {
        boxes.clear();
        list.replaceChildren(
          ...options.map((x) => {
            const box = h('input', { id: `control-${id}-${x}`, attrs: { type: 'checkbox' } });
            box.addEventListener('change', send);
            boxes.set(x, box);
            return h('div', { className: 'scope-option' }, box, h('label', { attrs: { for: box.id }, text: strings.scopes[x].title }));
          }),
        );
        if (options.length === 0) list.append(h('p', { className: 'muted', text: s.noScopes }));
      }
      for (const [x, box] of boxes) {
        box.checked = next.value.includes(x);
        box.disabled = !next.editable;
      }
      inputs = [...boxes.values()];
    };
    inputs = [];
    element.append(fieldset);
  } else {
    // Not a kind the preferences show as a control: fall back to a value.
    return valueRow(row);
  }

  element.append(source.element, status);
  const fullUpdate = (next: SettingRow) => {
    update(next);
    for (const input of inputs) input.disabled = !next.editable;
    element.classList.toggle('is-locked', next.locked);
    source.update(next);
  };
  fullUpdate(row);
  let lastRow: SettingRow = row;
  return {
    id,
    element,
    status,
    update(next) {
      lastRow = next;
      fullUpdate(next);
    },
    revert: () => fullUpdate(lastRow),
    setBusy(busy) {
      if (busy) element.setAttribute('aria-busy', 'true');
      else element.removeAttribute('aria-busy');
    },
  };
}

export function renderSettings(view: SettingsView, onChange: ChangeListener): SettingsDom {
  const byId = new Map(view.rows.map((r) => [r.id, r]));
  const rows = new Map<SettingRowId, RowHandle>();
  const sections = SECTIONS.map(({ id, title, intro, rows: ids }) => {
    const present = ids.map((x) => byId.get(x)).filter((r): r is SettingRow => r !== undefined);
    if (present.length === 0) return null;
    const handles = present.map((r) => (CONTROL_ROWS.includes(r.id) ? controlRow(r, onChange) : valueRow(r)));
    for (const handle of handles) rows.set(handle.id, handle);
    const readOnly = handles.every((x) => x.element.classList.contains('setting-readonly'));
    const body = readOnly ? h('dl', { className: 'setting-list' }, ...handles.map((x) => x.element)) : h('div', { className: 'setting-list' }, ...handles.map((x) => x.element));
    const introText = intro ? h('p', { className: 'section-intro muted small', text: intro }) : null;
    return h('section', { className: 'card section', attrs: { 'aria-labelledby': `${id}-title` } }, h('h2', { id: `${id}-title`, text: title }), introText, body);
  });

  const problems =
    view.problems.length === 0
      ? null
      : h(
          'section',
          { className: 'card section problems', attrs: { 'aria-labelledby': 'problems-title' } },
          h('h2', { id: 'problems-title', text: s.problems }),
          h('ul', {}, ...view.problems.map((p) => h('li', { text: p }))),
        );

  const close = h('button', { className: 'button button-secondary', attrs: { type: 'button' }, text: s.close });
  const root = h(
    'div',
    { className: 'settings-body' },
    h(
      'header',
      { className: 'settings-header' },
      h('span', { className: 'brand' }, h('span', { className: 'brand-mark', attrs: { 'aria-hidden': 'true' } }), strings.product),
      h('h1', { attrs: { tabindex: '-1' }, text: s.heading }),
      h('p', { className: 'muted', text: s.intro }),
    ),
    problems,
    ...sections,
    h('footer', { className: 'settings-actions' }, close),
  );
  return { root, close, rows };
}
