// Session summary controller: show what happened, copy it, close.
import '../common/zod-jitless.js';
import { parseIpcPayload } from '../../src/shared/ipc-contract.js';
import type { SummaryBridge } from '../../src/shared/ipc-contract.js';
import { strings } from '../../src/shared/strings.js';
import { bridgeFor } from '../common/bridge.js';
import { byId, replaceChildren } from '../common/element.js';
import { renderSummary } from './render-summary.js';
import { resolutionForm } from './resolution-form.js';
import { summaryText } from './summary-text.js';

const s = strings.summary;

function start(bridge: SummaryBridge): void {
  const app = byId('app');
  document.title = s.documentTitle;
  bridge.onShow((raw) => {
    const parsed = parseIpcPayload('summary:show', raw);
    if (!parsed.ok) return;
    const view = parsed.payload;
    const question = resolutionForm(view.sessionId, (answer) => bridge.resolve(answer));
    const dom = renderSummary(view, question.root);
    dom.copy.addEventListener('click', () => {
      bridge.copy(summaryText(view));
      dom.status.textContent = s.copied;
    });
    dom.close.addEventListener('click', () => bridge.close());
    replaceChildren(app, dom.root);
    app.removeAttribute('aria-busy');
  });
  bridge.ready();
}

const bridge = bridgeFor('summary');
if (bridge) start(bridge);
else byId('app').textContent = s.waiting;
