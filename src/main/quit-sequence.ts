// Quitting waits for the agent to stop: a live session ends with agent-exit
// and the relay is told, the prompt on screen declines, the audit log closes.
// The first before-quit is held back; once stopped, quit proceeds.
export interface QuitApp {
  quit(): void;
}

export function quitSequence(app: QuitApp, stop: () => Promise<void>, log: (event: string, detail: string) => void) {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  return (event: { preventDefault(): void }): void => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    stop()
      .catch((err: Error) => log('stop-failed', err.message))
      .finally(() => {
        state = 'stopped';
        app.quit();
      });
  };
}
