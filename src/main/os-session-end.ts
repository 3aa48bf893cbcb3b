// The OS ends the user's session: Windows log-off/shutdown/restart
// (BrowserWindow 'query-session-end', then 'session-end') or a Linux/macOS
// power-off (powerMonitor 'shutdown'). The session banner refuses to close
// while a session is live; here that guard stands down so the OS can close
// every window, and the normal quit runs once (before-quit -> quitSequence:
// agent-exit to the relay, the prompt declines, the audit log closes).
export interface SessionEndHooks {
  /** Stop refusing closes and recreating windows (ElectronUi.standDown). */
  standDown(): void;
  /** Start the normal quit (app.quit(): before-quit runs quitSequence). */
  quit(): void;
  log(event: string, detail: string): void;
}

type Reasons = { reasons?: readonly string[] };

export interface SessionEndHandlers {
  /** powerMonitor 'shutdown' (linux, darwin). Electron passes an event that can delay the power-off. */
  shutdown(event?: { preventDefault(): void }): void;
  /** BrowserWindow 'query-session-end' (win32): never prevented, that would hold up log-off. */
  querySessionEnd(event: Reasons): void;
  /** BrowserWindow 'session-end' (win32): the session ends now, whatever we do. */
  sessionEnd(event: Reasons): void;
  /** True once any of them fired. */
  readonly begun: boolean;
}

export function osSessionEnd(hooks: SessionEndHooks): SessionEndHandlers {
  let begun = false;
  const begin = (source: string, reasons: readonly string[] = []): void => {
    if (begun) return;
    begun = true;
    hooks.log('os-session-end', `${source}${reasons.length ? ` (${reasons.join(', ')})` : ''}: ending the session and quitting`);
    hooks.standDown();
    hooks.quit();
  };
  return {
    shutdown(event) {
      // Electron then holds the power-off (a logind delay lock on Linux) until we quit, so agent-exit can go out.
      event?.preventDefault();
      begin('shutdown');
    },
    querySessionEnd: (event) => begin('query-session-end', event.reasons),
    sessionEnd: (event) => begin('session-end', event.reasons),
    get begun() {
      return begun;
    },
  };
}
