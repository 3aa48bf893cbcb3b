// Preload of the consent window (sandboxed, bundled to dist/preload/consent.cjs): exposes the consent bridge only.
import { exposeBridge } from './lib/expose-bridge.js';

exposeBridge('consent');
