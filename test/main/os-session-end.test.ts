import { describe, expect, it } from 'vitest';
import { ElectronUi } from '../../src/main/electron-ui.js';
import { osSessionEnd } from '../../src/main/os-session-end.js';
import { quitSequence } from '../../src/main/quit-sequence.js';
import { bannerView } from '../renderer/sample-views.js';
import { fakeServices, flush } from './fake-windows.js';

/** main.ts's wiring on fakes: the OS event -> standDown + app.quit() -> before-quit -> quitSequence -> stopShell. */
function setup() {
  const f = fakeServices();
  const ui = new ElectronUi(f.services);
  const calls = { stop: 0, quit: 0, beforeQuitPrevented: 0 };
  let release!: () => void;
  const stopped = new Promise<void>((r) => (release = r));
  // Like start-shell.ts's stopShell, but the agent's stop is held until the test releases it.
  const stopAll = () => {
    calls.stop++;
    return stopped;
  };
  const app = {
    quit: () => {
      calls.quit++;
      onBeforeQuit({ preventDefault: () => calls.beforeQuitPrevented++ });
    },
  };
  const onBeforeQuit = quitSequence(app, stopAll, f.services.log);
  const logged: string[] = [];
  const handlers = osSessionEnd({ standDown: () => ui.standDown(), quit: app.quit, log: (e, d) => logged.push(`${e}: ${d}`) });
  return { ...f, ui, app, calls, release, stopped, handlers, logged };
}

const event = (reasons: string[] = []) => {
  const e = { reasons, prevented: false, preventDefault: () => (e.prevented = true) };
  return e;
};

describe('OS session end (log-off, restart, power-off)', () => {
  it('the banner stops refusing to close once Windows asks to end the session', () => {
    const t = setup();
    t.ui.showBanner(bannerView());
    const banner = t.last('banner')!;
    banner.userCloses();
    expect(banner.destroyed).toBe(false);

    t.handlers.querySessionEnd(event(['logoff']));
    banner.hide();
    expect(banner.shown).toBe('no');
    banner.userCloses();
    expect(banner.destroyed).toBe(true);
    // Not reopened, and no new banner while quitting.
    t.ui.showBanner(bannerView());
    expect(t.windows.filter((w) => w.kind === 'banner')).toHaveLength(1);
    expect(t.logged).toEqual(['os-session-end: query-session-end (logoff): ending the session and quitting']);
  });

  it('never holds up Windows log-off: query-session-end and session-end are not prevented', () => {
    const t = setup();
    const query = event(['logoff']);
    const end = event(['logoff']);
    t.handlers.querySessionEnd(query);
    t.handlers.sessionEnd(end);
    expect([query.prevented, end.prevented]).toEqual([false, false]);
  });

  it('runs the quit sequence once: the agent stops once, then the app quits', async () => {
    const t = setup();
    t.handlers.querySessionEnd(event(['shutdown']));
    t.handlers.sessionEnd(event(['shutdown']));
    t.handlers.shutdown(event());
    expect(t.handlers.begun).toBe(true);
    expect(t.calls).toEqual({ stop: 1, quit: 1, beforeQuitPrevented: 1 });
    t.release();
    await t.stopped;
    await flush();
    // quitSequence quit again once stopped; that before-quit goes through.
    expect(t.calls).toEqual({ stop: 1, quit: 2, beforeQuitPrevented: 1 });
    expect(t.logged).toHaveLength(1);
  });

  it('a Linux/macOS power-off is delayed (preventDefault) until the quit ran, and a second one changes nothing', () => {
    const t = setup();
    t.ui.showBanner(bannerView());
    const first = event();
    t.handlers.shutdown(first);
    t.handlers.shutdown(event());
    expect(first.prevented).toBe(true);
    expect(t.calls.stop).toBe(1);
    t.last('banner')!.userCloses();
    expect(t.last('banner')!.destroyed).toBe(true);
  });

  it('a Quit already under way (tray Quit) is not started again by the OS event', () => {
    const t = setup();
    t.app.quit();
    expect(t.calls.stop).toBe(1);
    t.handlers.sessionEnd(event(['close-app']));
    t.handlers.shutdown(event());
    expect(t.calls.stop).toBe(1);
  });
});
