// A UiPort whose user grants every scope asked for at once and sees nothing else: for tests
// about what happens after consent (anchors, signatures, file bytes), not about the dialog.
import type { UiPort } from '../../src/core/ui-port.js';

export const grantingUi: UiPort = {
  setStatus: () => undefined,
  showConsent: async (view) => ({ kind: 'decision', promptId: view.promptId, granted: view.scopes }),
  showBanner: () => undefined,
  hideBanner: () => undefined,
  showSummary: () => undefined,
  notify: () => undefined,
};
