// Preload of the banner window (sandboxed, bundled to dist/preload/banner.cjs): exposes the banner bridge only.
import { exposeBridge } from './lib/expose-bridge.js';

exposeBridge('banner');
