// Start the shell once Electron is ready, and fail cleanly: whether the app
// never gets ready or anything inside the start sequence throws (synchronously
// or later), the failure is logged as `start-failed`, the single-instance lock
// is released (a new launch must not hand over to a dying process) and the
// process exits 1. Nothing is left half-started and holding the lock.
export interface StartableApp {
  whenReady(): Promise<unknown>;
  releaseSingleInstanceLock(): void;
  exit(code: number): void;
}

export async function startWhenReady(
  app: StartableApp,
  start: () => Promise<void>,
  log: (event: string, detail: string) => void,
): Promise<void> {
  try {
    await app.whenReady();
    await start();
  } catch (err) {
    log('start-failed', err instanceof Error ? (err.stack ?? err.message) : String(err));
    app.releaseSingleInstanceLock();
    app.exit(1);
  }
}
