// Settings controller: show every row, send a change as soon as the person
// makes it, and show main's answer inline (main decides; the page never
// assumes a change was stored until `settings:result` says so).
import '../common/zod-jitless.js';
import { parseIpcPayload } from '../../src/shared/ipc-contract.js';
import type { SettingsBridge } from '../../src/shared/ipc-contract.js';
import type { SettingRowId } from '../../src/shared/settings-view.js';
import { strings } from '../../src/shared/strings.js';
import { announce } from '../common/announcer.js';
import { bridgeFor } from '../common/bridge.js';
import { byId, replaceChildren } from '../common/element.js';
import { renderSettings, type RowHandle, type SettingsDom } from './render-settings.js';

const s = strings.settings;

function setStatus(row: RowHandle, text: string, kind: 'pending' | 'ok' | 'error'): void {
  row.status.textContent = text;
  row.status.dataset.kind = kind;
  if (kind !== 'pending') announce(`${s.rows[row.id].label}: ${text}`);
}

function start(bridge: SettingsBridge): void {
  const app = byId('app');
  document.title = s.documentTitle;
  let dom: SettingsDom | undefined;

  const onChange = (id: SettingRowId, value: boolean | number | string[] | { invalid: string }) => {
    const row = dom?.rows.get(id);
    if (!row) return;
    if (typeof value === 'object' && !Array.isArray(value)) {
      setStatus(row, value.invalid, 'error');
      return;
    }
    row.setBusy(true);
    setStatus(row, s.saving, 'pending');
    bridge.change({ key: id, value });
  };

  bridge.onShow((raw) => {
    const parsed = parseIpcPayload('settings:show', raw);
    if (!parsed.ok) return;
    const first = dom === undefined;
    dom = renderSettings(parsed.payload, onChange);
    dom.close.addEventListener('click', () => bridge.close());
    replaceChildren(app, dom.root);
    app.removeAttribute('aria-busy');
    if (first) app.querySelector('h1')?.focus();
  });

  bridge.onResult((raw) => {
    const parsed = parseIpcPayload('settings:result', raw);
    if (!parsed.ok || !dom) return;
    const result = parsed.payload;
    const row = dom.rows.get(result.key as SettingRowId);
    if (!row) return;
    row.setBusy(false);
    // The row as main now has it: the stored value, or the old one after a refusal.
    if (result.row && result.row.id === row.id) row.update(result.row);
    else if (!result.ok) row.revert();
    if (result.ok) setStatus(row, result.restartRequired ? s.savedRestart : s.saved, 'ok');
    else setStatus(row, s.errors[result.code], 'error');
  });

  bridge.ready();
}

const bridge = bridgeFor('settings');
if (bridge) start(bridge);
else byId('app').textContent = s.waiting;
