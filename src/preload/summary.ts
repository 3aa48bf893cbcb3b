// Preload of the summary window (sandboxed, bundled to dist/preload/summary.cjs): exposes the summary bridge only.
import { exposeBridge } from './lib/expose-bridge.js';

exposeBridge('summary');
