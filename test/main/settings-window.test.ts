import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ManagedPolicy } from '../../src/core/policy/merge.js';
import type { Policy } from '../../src/core/policy/schema.js';
import { createIpcGuard, type IpcEventLike } from '../../src/main/ipc-guard.js';
import { registerIpcRoutes } from '../../src/main/ipc-routes.js';
import { ElectronUi } from '../../src/main/electron-ui.js';
import { Settings } from '../../src/main/settings.js';
import { settingsView } from '../../src/main/settings-rows.js';
import { SettingsWindow } from '../../src/main/settings-window.js';
import { generateEd25519KeyPair, keyFingerprint } from '../../src/protocol/signing.js';
import type { IpcWindow } from '../../src/shared/ipc-contract.js';
import { settingsResultSchema, settingsViewSchema, type SettingRow, type SettingsResult, type SettingsView } from '../../src/shared/settings-view.js';
import { fakeServices, pageUrl, type FakeWindow } from './fake-windows.js';
import { jsonFileBackend } from './json-file-settings.js';

const relayKey = generateEd25519KeyPair().publicKey;
const approvalsKey = generateEd25519KeyPair().publicKey;
const managed: ManagedPolicy = {
  kind: 'valid',
  values: { maxSessionMinutes: 30, relayUrl: 'wss://relay.example.com:7443', relayPublicKey: relayKey, approvalsPublicKey: approvalsKey, unattendedAllowed: true, itDisplayName: 'Robinson Park IT', itSupportPhone: '555-0100' },
  origins: ['HKLM\\Software\\Policies\\Porchlight'],
};

/** The settings window wired as main.ts does: real guard, real routes, real Settings on a JSON file; fake windows only. */
function setup(policy: ManagedPolicy = managed) {
  const f = fakeServices();
  const path = join(mkdtempSync(join(tmpdir(), 'pl-settings-window-')), 'settings.json');
  const settings = new Settings(jsonFileBackend(path), policy);
  const applied: [string, Policy][] = [];
  const log: [string, string][] = [];
  const sw = new SettingsWindow({
    windows: f.services.windows,
    settings,
    apply: (key, effective) => {
      applied.push([key, effective]);
      return { restartRequired: key !== 'startAtLogin' };
    },
    log: (e, d) => log.push([e, d]),
  });
  const ui = new ElectronUi(f.services);
  const listeners = new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>();
  const rejected: string[] = [];
  const expectedSender = (w: IpcWindow) => (w === 'settings' ? sw.expectedSender() : ui.expectedSender(w));
  registerIpcRoutes({ on: (c, l) => listeners.set(c, l) }, createIpcGuard({ expectedSender, log: (r) => rejected.push(r.code) }), { ...ui.ipcHandlers(), ...sw.ipcHandlers() });
  const fromPage = (w: FakeWindow, channel: string, ...args: unknown[]) => {
    const frame = { url: pageUrl(w.kind), parent: null };
    listeners.get(channel)!({ sender: { id: w.webContentsId, mainFrame: frame }, senderFrame: frame }, ...args);
  };
  /** Open the window and let its page say ready. */
  const openReady = () => {
    sw.open();
    const w = f.last('settings')!;
    fromPage(w, 'settings:ready');
    return w;
  };
  const results = (w: FakeWindow): SettingsResult[] => w.sent.filter(([c]) => c === 'settings:result').map(([, p]) => settingsResultSchema.parse(p));
  const stored = (): unknown => {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
  };
  return { ...f, sw, settings, applied, log, rejected, fromPage, openReady, results, stored };
}

const rowOf = (view: SettingsView, id: SettingRow['id']) => view.rows.find((r) => r.id === id)!;

describe('settings window', () => {
  it('opens from the tray, sends every row when the page is ready, shows and focuses; a second open focuses the same window', () => {
    const t = setup();
    const w = t.openReady();
    expect(w.shown).toBe('active');
    const [channel, payload] = w.sent[0]!;
    expect(channel).toBe('settings:show');
    const view = settingsViewSchema.parse(payload);
    expect(view.rows.map((r) => r.id)).toHaveLength(17);
    expect(rowOf(view, 'promptTimeoutSec')).toEqual({ id: 'promptTimeoutSec', kind: 'number', value: 60, min: 15, max: 60, unit: 'seconds', source: 'default', locked: false, editable: true });
    expect(rowOf(view, 'maxSessionMinutes')).toMatchObject({ value: 30, source: 'managed', locked: true, editable: false });
    expect(rowOf(view, 'relayUrl')).toMatchObject({ kind: 'text', value: 'wss://relay.example.com:7443', locked: true, editable: false });
    expect(rowOf(view, 'relayKeyFingerprint')).toMatchObject({ value: keyFingerprint(relayKey), source: 'managed', locked: true });
    expect(rowOf(view, 'approvalsKeyFingerprint')).toMatchObject({ value: keyFingerprint(approvalsKey), source: 'managed', locked: true });
    expect(rowOf(view, 'relayTlsPin')).toMatchObject({ value: null, source: 'default', locked: false, editable: false });
    expect(rowOf(view, 'unattendedAllowed')).toMatchObject({ value: true, source: 'managed', locked: true, editable: false });
    expect(rowOf(view, 'allowQuit')).toMatchObject({ value: true, source: 'default', locked: false, editable: false });
    // IT's own wording is listed like every other key: what IT set is locked, the rest reads "Not set".
    expect(rowOf(view, 'itDisplayName')).toEqual({ id: 'itDisplayName', kind: 'text', value: 'Robinson Park IT', source: 'managed', locked: true, editable: false });
    expect(rowOf(view, 'itSupportPhone')).toMatchObject({ value: '555-0100', source: 'managed', locked: true, editable: false });
    expect(rowOf(view, 'itConsentLine')).toMatchObject({ value: null, source: 'default', locked: false, editable: false });
    t.sw.open();
    expect(t.windows.filter((x) => x.kind === 'settings')).toHaveLength(1);
    expect(w.focusCalls).toBe(2);
  });

  it('stores and applies a valid change, and answers with the new row', () => {
    const t = setup();
    const w = t.openReady();
    t.fromPage(w, 'settings:change', { key: 'startAtLogin', value: false });
    t.fromPage(w, 'settings:change', { key: 'promptTimeoutSec', value: 30 });
    t.fromPage(w, 'settings:change', { key: 'allowedScopes', value: ['view'] });
    expect(t.stored()).toEqual({ startAtLogin: false, promptTimeoutSec: 30, allowedScopes: ['view'] });
    expect(t.applied.map(([k, p]) => [k, k === 'startAtLogin' ? p.startAtLogin : p[k as 'promptTimeoutSec']])).toEqual([
      ['startAtLogin', false],
      ['promptTimeoutSec', 30],
      ['allowedScopes', ['view']],
    ]);
    expect(t.results(w)).toEqual([
      { ok: true, key: 'startAtLogin', row: { id: 'startAtLogin', kind: 'toggle', value: false, source: 'user', locked: false, editable: true }, restartRequired: false },
      { ok: true, key: 'promptTimeoutSec', row: expect.objectContaining({ value: 30, source: 'user' }), restartRequired: true },
      { ok: true, key: 'allowedScopes', row: expect.objectContaining({ value: ['view'], options: ['view', 'control', 'admin', 'file-transfer'], source: 'user' }), restartRequired: true },
    ]);
    expect(t.settings.effective().policy.promptTimeoutSec).toBe(30);
    expect(t.rejected).toEqual([]);
  });

  it('refuses and logs a change to a key IT locked; the store is untouched', () => {
    const t = setup();
    const w = t.openReady();
    t.fromPage(w, 'settings:change', { key: 'maxSessionMinutes', value: 10 });
    expect(t.results(w)).toEqual([{ ok: false, key: 'maxSessionMinutes', code: 'locked', row: expect.objectContaining({ value: 30, locked: true }) }]);
    expect(t.log).toContainEqual(['settings-change-refused', expect.stringMatching(/^locked maxSessionMinutes: /)]);
    expect(t.stored()).toBeUndefined();
    expect(t.applied).toEqual([]);
  });

  it('refuses and logs keys that are not preferences of this window: IT-only keys, the relay, unknown names', () => {
    const t = setup({ kind: 'none' });
    const w = t.openReady();
    t.fromPage(w, 'settings:change', { key: 'unattendedAllowed', value: true });
    t.fromPage(w, 'settings:change', { key: 'relayUrl', value: 'wss://evil.example.com' });
    t.fromPage(w, 'settings:change', { key: 'allowInsecureRelay', value: true });
    t.fromPage(w, 'settings:change', { key: 'constructor', value: true });
    expect(t.results(w)).toEqual(['unattendedAllowed', 'relayUrl', 'allowInsecureRelay', 'constructor'].map((key) => ({ ok: false, key, code: 'not-user-setting' })));
    expect(t.log.filter(([e]) => e === 'settings-change-refused')).toHaveLength(4);
    expect(t.stored()).toBeUndefined();
    expect(t.settings.effective().policy.unattendedAllowed).toBe(false);
  });

  it('refuses a value the policy schema rejects (out of bounds, wrong type, unknown scope) with `invalid`', () => {
    const t = setup({ kind: 'none' });
    const w = t.openReady();
    t.fromPage(w, 'settings:change', { key: 'promptTimeoutSec', value: 5 });
    t.fromPage(w, 'settings:change', { key: 'promptTimeoutSec', value: 30.5 });
    t.fromPage(w, 'settings:change', { key: 'startAtLogin', value: 'yes' });
    t.fromPage(w, 'settings:change', { key: 'allowedScopes', value: ['view', 'root'] });
    expect(t.results(w).map((r) => (r.ok ? 'ok' : r.code))).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
    expect(t.stored()).toBeUndefined();
  });

  it('drops and logs bad payloads at the guard: nothing is stored and nothing answered', () => {
    const t = setup({ kind: 'none' });
    const w = t.openReady();
    const before = w.sent.length;
    t.fromPage(w, 'settings:change', { key: 'promptTimeoutSec', value: { valueOf: 30 } });
    t.fromPage(w, 'settings:change', { key: '__proto__', value: 30 });
    t.fromPage(w, 'settings:change', { key: 'promptTimeoutSec', value: 30, extra: 1 });
    t.fromPage(w, 'settings:change', 'promptTimeoutSec=30');
    t.fromPage(w, 'settings:change', { key: 'promptTimeoutSec', value: 30 }, 'more');
    expect(t.rejected).toEqual(['bad-payload', 'bad-payload', 'bad-payload', 'bad-payload', 'extra-arguments']);
    expect(w.sent.length).toBe(before);
    expect(t.stored()).toBeUndefined();
  });

  it('accepts changes only from the settings window page: another window or a closed settings window is refused', () => {
    const t = setup({ kind: 'none' });
    const w = t.openReady();
    const summaryLike = t.services.windows.open('summary') as FakeWindow;
    t.fromPage(summaryLike, 'settings:change', { key: 'promptTimeoutSec', value: 30 });
    t.fromPage(w, 'settings:close');
    expect(w.destroyed).toBe(true);
    t.fromPage(w, 'settings:change', { key: 'promptTimeoutSec', value: 30 });
    expect(t.rejected).toEqual(['wrong-sender', 'window-not-open']);
    expect(t.stored()).toBeUndefined();
  });

  it('a store that cannot be written answers write-failed and keeps the old value', () => {
    const t = setup({ kind: 'none' });
    const failing = new Settings({ read: () => ({ ok: true, data: undefined }), write: () => { throw new Error('disk full'); }, reset: () => undefined }, { kind: 'none' });
    const sw = new SettingsWindow({ windows: t.services.windows, settings: failing, apply: () => ({ restartRequired: false }), log: (e, d) => t.log.push([e, d]) });
    sw.open();
    const w = t.last('settings')!;
    sw.ipcHandlers()['settings:change']({ key: 'startAtLogin', value: false });
    expect(w.sent).toEqual([['settings:result', { ok: false, key: 'startAtLogin', code: 'write-failed', row: expect.objectContaining({ value: true, source: 'default' }) }]]);
    expect(t.log).toContainEqual(['settings-change-refused', 'write-failed startAtLogin: disk full']);
  });

  it('an invalid managed policy locks every row', () => {
    const t = setup({ kind: 'invalid', origins: ['/etc/porchlight/policy.json'], problems: ['promptTimeoutSec: too small'] });
    const view = settingsView(t.settings);
    expect(view.rows.every((r) => r.locked && !r.editable && r.source === 'managed')).toBe(true);
    expect(view.problems[0]).toMatch(/^managed policy invalid/);
    const w = t.openReady();
    t.fromPage(w, 'settings:change', { key: 'startAtLogin', value: false });
    expect(t.results(w)).toEqual([{ ok: false, key: 'startAtLogin', code: 'locked', row: expect.objectContaining({ locked: true }) }]);
  });

  it('problems are single bounded lines (control and bidi characters replaced)', () => {
    const view = settingsView({
      entries: () => [],
      isPolicyKeyLocked: () => false,
      effective: () => ({ policy: setup({ kind: 'none' }).settings.effective().policy, lockedKeys: [], problems: ['bad\nline\u202e', 'x'.repeat(900), ''] }),
    });
    expect(view.problems).toEqual(['bad line ', 'x'.repeat(500)]);
    expect(settingsViewSchema.safeParse(view).success).toBe(true);
  });
});
