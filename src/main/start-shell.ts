// The start sequence of the Electron shell, once the app is ready: config and
// policy, login item, the window controllers behind the IPC guard, the tray,
// then the agent core. What it creates goes into `RunningShell`, which the
// quit path (stopShell) and the lifecycle events in main.ts use.
import { mkdirSync } from 'node:fs';
import { app, clipboard, ipcMain, Notification, powerMonitor, screen, session, shell } from 'electron';
import { createAgent, type Agent } from '../core/agent.js';
import { defaultAuditDir } from '../core/data-dir.js';
import { appPaths } from './app-paths.js';
import { createShellTray, type ShellTray } from './electron-tray.js';
import { cancelledWindowId } from './tray-state.js';
import { ElectronUi } from './electron-ui.js';
import { electronWindowFactory } from './electron-windows.js';
import { escalationWhileControlledFor } from './escalation-mode.js';
import { createIpcGuard } from './ipc-guard.js';
import { registerIpcRoutes } from './ipc-routes.js';
import { loginItemSettings, skipAutostartLaunch } from './login-item.js';
import { SettingsWindow } from './settings-window.js';
import { loadShellConfig } from './shell-config.js';
import { screenLockSensor } from './screen-lock.js';
import { hardenSession } from './web-security.js';

/** How long after start, or after a prompt ended, the next consent window is preloaded. */
const CONSENT_PRELOAD_DELAY_MS = 1000;

type Log = (event: string, detail: string) => void;

/** What a started shell holds; each part is set once it exists (a quit may come at any point). */
export interface RunningShell {
  ui?: ElectronUi;
  settingsWindow?: SettingsWindow;
  tray?: ShellTray;
  agent?: Agent;
}

export async function startShell(running: RunningShell, log: Log): Promise<void> {
  hardenSession(session.defaultSession, log);
  app.dock?.hide();

  const { plan, settings, policy, problems } = await loadShellConfig(log);
  mkdirSync(plan.dataDir, { recursive: true, mode: 0o700 });
  if (skipAutostartLaunch(policy.startAtLogin, process.argv)) {
    log('autostart', 'started at login, but start at login is off: quitting');
    app.exit(0);
    return;
  }
  const applyLoginItem = (startAtLogin: boolean): void => {
    const login = loginItemSettings(startAtLogin, process.platform, process.execPath);
    if (login && app.isPackaged) app.setLoginItemSettings(login);
  };
  applyLoginItem(policy.startAtLogin);

  const paths = appPaths(app.getAppPath());
  const devTools = !app.isPackaged && process.env.PORCHLIGHT_DEVTOOLS === '1';
  const windows = electronWindowFactory(paths, { devTools, log });
  const ui = new ElectronUi({
    windows,
    screen: { displays: () => screen.getAllDisplays(), cursor: () => screen.getCursorScreenPoint() },
    notify: (options) => {
      if (Notification.isSupported()) new Notification(options).show();
      else log('notification', `${options.title}: ${options.body ?? ''}`);
    },
    writeClipboard: (text) => clipboard.writeText(text),
    openExternal: (url) => void shell.openExternal(url).catch((err: Error) => log('open-external-failed', err.message)),
    onStatus: (status) => running.tray?.update(status),
    log,
    later: (task) => {
      const timer = setTimeout(task, CONSENT_PRELOAD_DELAY_MS);
      return () => clearTimeout(timer);
    },
  }, { preloadConsent: process.env.PORCHLIGHT_PRELOAD_CONSENT !== '0' });
  running.ui = ui;
  ui.warmUp();
  const settingsWindow = (running.settingsWindow = new SettingsWindow({
    windows,
    settings,
    // The login item changes now; the agent core keeps the policy it started with until the next start.
    apply: (key, effective) => {
      if (key !== 'startAtLogin') return { restartRequired: true };
      applyLoginItem(effective.startAtLogin);
      return { restartRequired: false };
    },
    log,
  }));
  registerIpcRoutes(
    ipcMain,
    createIpcGuard({
      expectedSender: (w, channel) =>
        w === 'settings' ? settingsWindow.expectedSender() : ui.expectedSender(w, channel),
      log: (r) => log('ipc-rejected', `${r.code} on ${r.channel} from webContents ${r.senderId}: ${r.detail}`),
    }),
    { ...ui.ipcHandlers(), ...settingsWindow.ipcHandlers() },
  );
  for (const event of ['display-added', 'display-removed', 'display-metrics-changed'] as const) {
    screen.on(event as 'display-added', () => ui.displaysChanged());
  }

  const auditDir = policy.auditDir ?? defaultAuditDir(plan.dataDir);
  running.tray = createShellTray(app.getAppPath(), {
    allowQuit: policy.allowQuit,
    onClick: () => ui.bringToFront(),
    onAction: (action, status) => {
      const windowId = cancelledWindowId(action);
      if (windowId !== undefined) void running.agent?.revokeAgreedWindow(windowId);
      else if (action === 'end-session' && status.session) void running.agent?.endSession(status.session.sessionId);
      else if (action === 'open-audit-folder') {
        void shell.openPath(auditDir).then((err) => err && log('open-audit-folder', err));
      }
      else if (action === 'settings') settingsWindow.open();
      else if (action === 'about') app.showAboutPanel();
      else if (action === 'quit') app.quit();
    },
  });
  app.setAboutPanelOptions({
    applicationName: 'Porchlight',
    applicationVersion: app.getVersion(),
    copyright: `Device ${plan.deviceId}`,
  });
  if (process.env.PORCHLIGHT_SMOKE === '1') {
    // Read-only view for the Playwright smoke test (main-process evaluate).
    (globalThis as Record<string, unknown>).porchlightSmoke = {
      trayTooltip: () => running.tray?.tooltip(),
      status: () => running.agent?.status(),
    };
  }

  const agent = (running.agent = createAgent({
    policy,
    ui,
    dataDir: plan.dataDir,
    deviceId: plan.deviceId,
    ...(plan.config?.enrollmentToken ? { enrollmentToken: plan.config.enrollmentToken } : {}),
    ...(plan.wsOptions ? { wsOptions: plan.wsOptions } : {}),
    agentVersion: app.getVersion(),
    escalationWhileControlled: escalationWhileControlledFor(process.platform),
    screenLock: screenLockSensor(powerMonitor),
  }));
  ui.setActions(agent);
  await agent.start();
  if (problems.length > 0) ui.notify({ kind: 'info', title: 'Porchlight policy problem', body: problems[0]! });
  log('started', `device ${plan.deviceId}, relay ${policy.relayUrl ?? 'not configured'}, data ${plan.dataDir}`);
}

/** Quitting: decline and close every window, stop the agent (the relay sees it leave), remove the tray. */
export async function stopShell(running: RunningShell): Promise<void> {
  running.ui?.closeAll();
  running.settingsWindow?.close();
  await running.agent?.stop();
  running.tray?.destroy();
}
