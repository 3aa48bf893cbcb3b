// The Electron main process: wiring only. Every decision lives in a tested
// module (launch-plan, settings, window-options, placement, ipc-guard,
// ipc-routes, web-security, tray-state, electron-ui, login-item,
// quit-sequence, os-session-end); this file connects them to Electron's objects.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { app, clipboard, ipcMain, Notification, powerMonitor, screen, session, shell } from 'electron';
import { createAgent, type Agent } from '../core/agent.js';
import { defaultAuditDir } from '../core/data-dir.js';
import { readAgentConfig } from '../core/headless/agent-config.js';
import { layerConfigUnderManaged } from '../core/policy/config-policy.js';
import { loadManagedPolicy } from '../core/policy/sources/managed-source.js';
import { managedPolicySources } from '../core/policy/sources/platform-sources.js';
import { appPaths } from './app-paths.js';
import { createShellTray, type ShellTray } from './electron-tray.js';
import { ElectronUi } from './electron-ui.js';
import { electronWindowFactory } from './electron-windows.js';
import { escalationWhileControlledFor } from './escalation-mode.js';
import { createIpcGuard } from './ipc-guard.js';
import { registerIpcRoutes } from './ipc-routes.js';
import { launchPlan } from './launch-plan.js';
import { loginItemSettings, skipAutostartLaunch } from './login-item.js';
import { osSessionEnd } from './os-session-end.js';
import { quitSequence } from './quit-sequence.js';
import { Settings } from './settings.js';
import { electronStoreBackend } from './settings-store.js';
import { SettingsWindow } from './settings-window.js';
import { claimSingleInstance } from './single-instance.js';
import { hardenSession, hardenWebContents } from './web-security.js';

/** How long after start, or after a prompt ended, the next consent window is preloaded. */
const CONSENT_PRELOAD_DELAY_MS = 1000;

const log = (event: string, detail: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${event}: ${detail}\n`);
};

let ui: ElectronUi | undefined;
let settingsUi: SettingsWindow | undefined;
let tray: ShellTray | undefined;
let agent: Agent | undefined;

if (claimSingleInstance(app, () => ui?.bringToFront())) {
  // A tray app: closing its last window must not quit it.
  app.on('window-all-closed', () => undefined);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, log));
  app.on('before-quit', quitSequence(app, stopAll, log));
  // Log-off, restart or power-off: the banner guard stands down and the same quit runs, once.
  const sessionEnd = osSessionEnd({ standDown: () => ui?.standDown(), quit: () => app.quit(), log });
  app.on('browser-window-created', (_event, win) => {
    win.on('query-session-end', sessionEnd.querySessionEnd);
    win.on('session-end', sessionEnd.sessionEnd);
  });
  app.whenReady().then(() => powerMonitor.on('shutdown', sessionEnd.shutdown), () => undefined);
  app.whenReady().then(start, (err: Error) => {
    log('start-failed', err.stack ?? err.message);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession, log);
  app.dock?.hide();

  const plan = launchPlan({
    argv: process.argv,
    env: process.env,
    platform: process.platform,
    readConfig: readAgentConfig,
    exists: existsSync,
    packaged: app.isPackaged,
    stat: (path) => {
      try {
        return statSync(path);
      } catch {
        return undefined;
      }
    },
  });
  const managed = await loadManagedPolicy(managedPolicySources(process.platform));
  // IT's config file sits under MDM policy and, like it, is locked for the user.
  const locked = plan.config?.policy ? layerConfigUnderManaged(managed, plan.config.policy, plan.configPath) : managed;
  const settings = new Settings(electronStoreBackend(app.getPath('userData')), locked);
  const { policy, problems } = settings.effective();
  for (const p of [...plan.problems, ...problems]) log('config', p);
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
  const windows = electronWindowFactory(paths, { devTools: !app.isPackaged && process.env.PORCHLIGHT_DEVTOOLS === '1', log });
  const electronUi = new ElectronUi({
    windows,
    screen: { displays: () => screen.getAllDisplays(), cursor: () => screen.getCursorScreenPoint() },
    notify: (options) => {
      if (Notification.isSupported()) new Notification(options).show();
      else log('notification', `${options.title}: ${options.body ?? ''}`);
    },
    writeClipboard: (text) => clipboard.writeText(text),
    openExternal: (url) => void shell.openExternal(url).catch((err: Error) => log('open-external-failed', err.message)),
    onStatus: (status) => tray?.update(status),
    log,
    later: (task) => {
      const timer = setTimeout(task, CONSENT_PRELOAD_DELAY_MS);
      return () => clearTimeout(timer);
    },
  }, { preloadConsent: process.env.PORCHLIGHT_PRELOAD_CONSENT !== '0' });
  ui = electronUi;
  electronUi.warmUp();
  const settingsWindow = (settingsUi = new SettingsWindow({
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
      expectedSender: (w, channel) => (w === 'settings' ? settingsWindow.expectedSender() : electronUi.expectedSender(w, channel)),
      log: (r) => log('ipc-rejected', `${r.code} on ${r.channel} from webContents ${r.senderId}: ${r.detail}`),
    }),
    { ...electronUi.ipcHandlers(), ...settingsWindow.ipcHandlers() },
  );
  for (const event of ['display-added', 'display-removed', 'display-metrics-changed'] as const) screen.on(event as 'display-added', () => electronUi.displaysChanged());

  const auditDir = policy.auditDir ?? defaultAuditDir(plan.dataDir);
  tray = createShellTray(app.getAppPath(), {
    allowQuit: policy.allowQuit,
    onClick: () => electronUi.bringToFront(),
    onAction: (action, status) => {
      if (action === 'end-session' && status.session) void agent?.endSession(status.session.sessionId);
      else if (action === 'open-audit-folder') void shell.openPath(auditDir).then((err) => err && log('open-audit-folder', err));
      else if (action === 'settings') settingsWindow.open();
      else if (action === 'about') app.showAboutPanel();
      else if (action === 'quit') app.quit();
    },
  });
  app.setAboutPanelOptions({ applicationName: 'Porchlight', applicationVersion: app.getVersion(), copyright: `Device ${plan.deviceId}` });
  if (process.env.PORCHLIGHT_SMOKE === '1') {
    // Read-only view for the Playwright smoke test (main-process evaluate).
    (globalThis as Record<string, unknown>).porchlightSmoke = { trayTooltip: () => tray?.tooltip(), status: () => agent?.status() };
  }

  agent = createAgent({
    policy,
    ui: electronUi,
    dataDir: plan.dataDir,
    deviceId: plan.deviceId,
    ...(plan.config?.enrollmentToken ? { enrollmentToken: plan.config.enrollmentToken } : {}),
    ...(plan.wsOptions ? { wsOptions: plan.wsOptions } : {}),
    agentVersion: app.getVersion(),
    escalationWhileControlled: escalationWhileControlledFor(process.platform),
  });
  electronUi.setActions(agent);
  await agent.start();
  if (problems.length > 0) electronUi.notify({ kind: 'info', title: 'Porchlight policy problem', body: problems[0]! });
  log('started', `device ${plan.deviceId}, relay ${policy.relayUrl ?? 'not configured'}, data ${plan.dataDir}`);
}

async function stopAll(): Promise<void> {
  ui?.closeAll();
  settingsUi?.close();
  await agent?.stop();
  tray?.destroy();
}
