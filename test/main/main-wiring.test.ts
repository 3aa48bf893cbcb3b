// src/main/main.ts itself, with only the 'electron' module faked (and the
// electron-store backend swapped for a JSON file): real relay, real agent
// core, real guard and UI port. Proves the wiring: hardened sessions and
// webContents, IPC listeners on contract channels only, windows with their
// options and pages, a request answered through the consent window, the
// banner and tray during the session, the summary after it, and a clean quit.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { TO_MAIN_CHANNELS } from '../../src/main/ipc-routes.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { fake, type FakeBrowserWindow } from './fake-electron.js';

vi.mock('electron', async () => (await import('./fake-electron.js')).electronModule);
vi.mock('../../src/main/settings-store.js', async () => {
  const { jsonFileBackend } = await import('./json-file-settings.js');
  return { electronStoreBackend: (dir: string) => jsonFileBackend(join(dir, 'settings.json')) };
});

const root = new URL('../..', import.meta.url).pathname;
const deviceId = 'wired-desktop';
/** Bounded waits for events (generous: 2 cores shared by several test runs). */
const PATIENT = { timeout: 20_000, interval: 20 };
let relay: TestRelay;
let tech: TechnicianClient;
/** main.ts logs one line per event to stderr; collected here (not vi.spyOn: restoreMocks would undo it). */
const logLines: string[] = [];
const realStderrWrite = process.stderr.write.bind(process.stderr);

const windowsOf = (kind: string) => fake.BrowserWindow.all.filter((w) => w.webContents.mainFrame.url.endsWith(`/renderer/${kind}/index.html`));
const fromPage = (w: FakeBrowserWindow, channel: string, ...args: unknown[]) => fake.ipcMain.emit(channel, { sender: w.webContents, senderFrame: w.webContents.mainFrame }, ...args);
const sentOn = (w: FakeBrowserWindow, channel: string) => w.webContents.sent.filter(([c]) => c === channel).map(([, p]) => p);

beforeAll(async () => {
  process.stderr.write = ((chunk: string | Uint8Array) => (logLines.push(String(chunk)), true)) as typeof process.stderr.write;
  const tmp = mkdtempSync(join(tmpdir(), 'pl-main-wiring-'));
  relay = await startTestRelay();
  const config = join(tmp, 'agent.json');
  writeFileSync(config, JSON.stringify({ deviceId, enrollmentToken: await relay.enroll(deviceId), dataDir: join(tmp, 'data'), policy: { relayUrl: relay.relay.url, relayPublicKey: relay.relayKey.publicKey, allowQuit: false } }));
  vi.stubEnv('PORCHLIGHT_AGENT_CONFIG', config);
  fake.app.userData = join(tmp, 'userData');
  // Electron creates userData before the app is ready; electron-store writes into it.
  mkdirSync(fake.app.userData);
  fake.app.appPath = root;
  await import('../../src/main/main.js');
  await vi.waitFor(() => expect(relay.relay.router.isOnline(deviceId)).toBe(true), PATIENT);
  const r = await connectTechnician(relay.relay.url, await relay.addTechnician('alice'));
  if (!r.ok) throw new Error(r.detail);
  tech = r.client;
}, 60_000);

afterAll(async () => {
  process.stderr.write = realStderrWrite;
  await tech?.close();
  await relay?.close();
});

describe('main process wiring (fake electron module)', () => {
  it('hardens the default session and listens on exactly the contract channels', async () => {
    expect(Object.keys(fake.session.defaultSession.handlers).sort()).toEqual(['check', 'device', 'request']);
    expect(fake.ipcMain.eventNames().sort()).toEqual([...TO_MAIN_CHANNELS].sort());
    await vi.waitFor(() => expect(fake.Tray.last?.tooltip).toMatch(/^Porchlight: Connected to 127\.0\.0\.1:\d+$/), PATIENT);
    // allowQuit: false in the (IT) config: no Quit in the tray menu.
    expect(fake.Tray.last!.menu.map((i) => i.label)).not.toContain('Quit Porchlight');
  });

  it('runs a request through the preloaded consent window to a session, its banner and its summary', async () => {
    // A consent window is preloaded shortly after start: hidden, its page loaded, holding no prompt.
    await vi.waitFor(() => expect(windowsOf('consent')).toHaveLength(1), PATIENT);
    const consent = windowsOf('consent')[0]!;
    fromPage(consent, 'consent:ready');
    expect(consent.visible).toBe('hidden');
    expect(sentOn(consent, 'consent:show')).toEqual([]);

    const decision = tech.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    const ask: Message<'tech.request'> = { v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: 'INC-WIRE' }, reason: 'Printer queue stuck', scopes: ['view', 'control'], mode: 'attended', estimatedMinutes: 10 };
    tech.send(ask);
    await vi.waitFor(() => expect(sentOn(consent, 'consent:show')).toHaveLength(1), PATIENT);
    expect(windowsOf('consent')).toHaveLength(1);
    expect(consent.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: join(root, 'dist/preload/consent.cjs') });
    expect(consent.alwaysOnTop).toEqual([true, 'screen-saver']);
    expect(consent.contentProtection).toBe(true);
    expect(consent.webContents.mainFrame.url).toBe(`file://${join(root, 'dist/renderer/consent/index.html')}`);

    // Every webContents got the navigation / window.open denials.
    const nav = { prevented: false, preventDefault: () => (nav.prevented = true) };
    consent.webContents.emit('will-navigate', nav, 'https://evil.example/');
    expect(nav.prevented).toBe(true);
    expect(logLines.some((l) => l.includes('navigation-denied: https://evil.example/'))).toBe(true);
    expect(consent.webContents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });

    const [view] = sentOn(consent, 'consent:show') as { promptId: string; verificationCode: string; scopes: string[] }[];
    expect(view).toMatchObject({ scopes: ['view', 'control'], ticket: { id: 'INC-WIRE' } });
    expect(consent.visible).toBe('shown');

    // A forged answer from another frame is dropped; the real page's answer counts.
    fake.ipcMain.emit('consent:answer', { sender: consent.webContents, senderFrame: { url: consent.webContents.mainFrame.url, parent: consent.webContents.mainFrame } }, { kind: 'decision', promptId: view!.promptId, granted: ['view', 'control'] });
    expect(logLines.filter((l) => l.includes('ipc-rejected'))).toEqual([expect.stringMatching(/ ipc-rejected: sub-frame on consent:answer from webContents \d+: sent from a sub-frame\n$/)]);
    fromPage(consent, 'consent:answer', { kind: 'decision', promptId: view!.promptId, granted: ['view'] });
    expect(await decision).toMatchObject({ outcome: 'partial', granted: ['view'], declined: ['control'] });
    expect(consent.destroyed).toBe(true);
    // The next prompt gets a fresh page, preloaded after this one ended.
    await vi.waitFor(() => expect(windowsOf('consent').filter((w) => !w.destroyed)).toHaveLength(1), PATIENT);
    expect(windowsOf('consent').at(-1)!.visible).toBe('hidden');

    await vi.waitFor(() => expect(windowsOf('banner')).toHaveLength(1), PATIENT);
    const banner = windowsOf('banner')[0]!;
    expect(banner.options).toMatchObject({ frame: false, skipTaskbar: true, closable: false });
    fromPage(banner, 'banner:ready');
    expect(sentOn(banner, 'banner:update')).toEqual([expect.objectContaining({ granted: ['view'], ticket: { id: 'INC-WIRE' } })]);
    expect(banner.visible).toBe('inactive');
    await vi.waitFor(() => expect(fake.Tray.last!.tooltip).toMatch(/^Porchlight: Alice Tech is connected \(ticket INC-WIRE\) until /), PATIENT);
    expect(fake.Tray.last!.menu.map((i) => i.label)).toContain('End session');

    const ended = tech.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    const { sessionId } = sentOn(banner, 'banner:update')[0] as { sessionId: string };
    fromPage(banner, 'banner:action', { kind: 'end-session', sessionId });
    expect(await ended).toMatchObject({ sessionId, by: 'user' });
    await vi.waitFor(() => expect(banner.destroyed).toBe(true), PATIENT);

    await vi.waitFor(() => expect(windowsOf('summary')).toHaveLength(1), PATIENT);
    const summary = windowsOf('summary')[0]!;
    fromPage(summary, 'summary:ready');
    expect(sentOn(summary, 'summary:show')).toEqual([expect.objectContaining({ sessionId, endedBy: 'user', scopesGranted: ['view'] })]);
    fromPage(summary, 'summary:copy', 'copied text');
    expect(fake.clipboard.written).toEqual(['copied text']);
    fromPage(summary, 'summary:close');
    expect(summary.destroyed).toBe(true);
  }, 60_000);

  it('opens Settings from the tray: IT config keys locked, a preference stored, an IT-only key refused and logged', () => {
    fake.Tray.last!.menu.find((i) => i.label === 'Settings…')!.click!();
    expect(windowsOf('settings')).toHaveLength(1);
    const settings = windowsOf('settings')[0]!;
    expect(settings.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: join(root, 'dist/preload/settings.cjs') });
    expect(settings.contentProtection).toBe(false);
    fromPage(settings, 'settings:ready');
    expect(settings.visible).toBe('shown');
    const [view] = sentOn(settings, 'settings:show') as { rows: { id: string; locked: boolean; editable: boolean; value: unknown }[] }[];
    expect(view!.rows.find((r) => r.id === 'relayUrl')).toMatchObject({ value: relay.relay.url, locked: true, editable: false });
    expect(view!.rows.find((r) => r.id === 'allowQuit')).toMatchObject({ value: false, locked: true });
    expect(view!.rows.find((r) => r.id === 'promptTimeoutSec')).toMatchObject({ value: 60, locked: false, editable: true });

    fromPage(settings, 'settings:change', { key: 'promptTimeoutSec', value: 30 });
    fromPage(settings, 'settings:change', { key: 'allowQuit', value: true });
    expect(sentOn(settings, 'settings:result')).toEqual([
      expect.objectContaining({ ok: true, key: 'promptTimeoutSec', restartRequired: true }),
      { ok: false, key: 'allowQuit', code: 'not-user-setting' },
    ]);
    expect(JSON.parse(readFileSync(join(fake.app.userData, 'settings.json'), 'utf8'))).toEqual({ promptTimeoutSec: 30 });
    expect(logLines.some((l) => l.includes('settings-change-refused: not-user-setting allowQuit'))).toBe(true);
    fromPage(settings, 'settings:close');
    expect(settings.destroyed).toBe(true);
  });

  it('listens for the OS ending the session: power-off (linux, darwin) and log-off on every window (win32)', () => {
    expect(fake.powerMonitor.listenerCount('shutdown')).toBe(1);
    expect(fake.BrowserWindow.all.length).toBeGreaterThan(0);
    for (const w of fake.BrowserWindow.all) {
      expect([w.listenerCount('query-session-end'), w.listenerCount('session-end')]).toEqual([1, 1]);
    }
  });

  it('quits only after the agent stopped (the relay sees it leave)', async () => {
    const event = { prevented: false, preventDefault: () => (event.prevented = true) };
    fake.app.emit('before-quit', event);
    expect(event.prevented).toBe(true);
    await vi.waitFor(() => expect(fake.app.quitCalls).toBe(1), PATIENT);
    // Quitting destroyed the preloaded consent window too.
    expect(fake.BrowserWindow.all.every((w) => w.destroyed)).toBe(true);
    await vi.waitFor(() => expect(relay.relay.router.isOnline(deviceId)).toBe(false), PATIENT);
  });
});
