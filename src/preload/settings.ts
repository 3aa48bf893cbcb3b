// Preload of the settings window (sandboxed, bundled to dist/preload/settings.cjs): exposes the settings bridge only.
import { exposeBridge } from './lib/expose-bridge.js';

exposeBridge('settings');
