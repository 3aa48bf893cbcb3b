// Session banner controller: one live session, always an End button, no way
// to dismiss it other than ending the session.
import '../common/zod-jitless.js';
import { parseIpcPayload } from '../../src/shared/ipc-contract.js';
import type { BannerBridge } from '../../src/shared/ipc-contract.js';
import type { BannerView } from '../../src/shared/view-models.js';
import { strings } from '../../src/shared/strings.js';
import { bridgeFor } from '../common/bridge.js';
import { startCountdown, windowClock } from '../common/countdown.js';
import { byId, replaceChildren } from '../common/element.js';
import { clock } from '../common/time-format.js';
import { BannerDom } from './render-banner.js';

const s = strings.banner;

function start(bridge: BannerBridge): void {
  const app = byId('app');
  document.title = s.documentTitle;
  let view: BannerView | undefined;
  let ending = false;
  let stopTimer = () => {};

  const dom = new BannerDom({
    onRevoke: (scope) => {
      if (!view || ending) return;
      dom.markPending(scope);
      bridge.action({ kind: 'revoke-scope', sessionId: view.sessionId, scope });
    },
    onEnd: () => {
      if (!view || ending) return;
      ending = true;
      dom.end.disabled = true;
      dom.end.textContent = s.ended;
      bridge.action({ kind: 'end-session', sessionId: view.sessionId });
    },
    onSend: (text) => {
      if (!view || ending) return;
      bridge.action({ kind: 'user-message', sessionId: view.sessionId, text });
    },
    onQuickQuestion: () => {
      if (!view || ending) return;
      bridge.action({ kind: 'quick-question', sessionId: view.sessionId });
    },
    onToggle: (expanded) => {
      bridge.resize(expanded ? 'expanded' : 'compact');
      reportHeight();
    },
  });

  // Main fits the window to what the page needs (within limits), so End is never cut off.
  let lastReported = -1;
  const reportHeight = () => {
    const height = dom.naturalHeight();
    if (height === lastReported || height <= 0) return;
    lastReported = height;
    bridge.reportHeight(height);
  };
  new ResizeObserver(reportHeight).observe(dom.root);

  bridge.onUpdate((raw) => {
    const parsed = parseIpcPayload('banner:update', raw);
    // A malformed update changes nothing: the bar keeps showing the last good state and its End button.
    if (!parsed.ok) return;
    const next = parsed.payload;
    if (view?.sessionId !== next.sessionId) ending = false;
    view = next;
    if (!app.contains(dom.root)) {
      replaceChildren(app, dom.root);
      app.removeAttribute('aria-busy');
    }
    dom.update(next);
    reportHeight();
    if (!ending) {
      dom.end.disabled = false;
      dom.end.textContent = s.end;
    }
    stopTimer();
    stopTimer = startCountdown({
      deadlineMs: Date.parse(next.endsAt),
      clock: windowClock,
      onTick: (ms) => (dom.timeLeft.textContent = ms > 0 ? s.timeLeft(clock(ms)) : s.timeUp),
      onExpire: () => {},
    });
  });
  bridge.ready();
}

const bridge = bridgeFor('banner');
if (bridge) start(bridge);
else byId('app').textContent = s.waiting;
