// Electron fuses, flipped in the packaged binary by electron-builder's afterPack
// hook (after packing, before signing). Fuses are compiled-in switches that
// no environment variable or command-line flag can turn back.
import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/** Every fuse of the v1 wire, by name. A new fuse in a newer Electron fails the build until it is decided here. */
export const FUSES = Object.freeze({
  RunAsNode: false, // ELECTRON_RUN_AS_NODE would turn our signed binary into a plain Node.js for anyone
  EnableCookieEncryption: false, // the app keeps no cookies; on Linux this would need a desktop keyring
  EnableNodeOptionsEnvironmentVariable: false, // NODE_OPTIONS could preload code into the main process
  EnableNodeCliInspectArguments: false, // --inspect / SIGUSR1 would open a debugger on the main process
  EnableEmbeddedAsarIntegrityValidation: true, // app.asar must match the hash signed into the binary
  OnlyLoadAppFromAsar: true, // no loose app/ folder next to app.asar may take over
  LoadBrowserProcessSpecificV8Snapshot: false, // Electron default
  GrantFileProtocolExtraPrivileges: false, // file:// pages get no more than a browser gives them
  WasmTrapHandlers: true, // Electron default
});

/** The @electron/fuses config for one packaged app. */
export function fuseConfig(electronPlatformName) {
  const config = {
    version: FuseVersion.V1,
    strictlyRequireAllFuses: true,
    // flipping invalidates the ad-hoc signature of an unsigned arm64 build; electron-builder re-signs signed ones
    resetAdHocDarwinSignature: electronPlatformName === 'darwin',
  };
  for (const [name, enabled] of Object.entries(FUSES)) config[FuseV1Options[name]] = enabled;
  return config;
}

/** The file that carries the fuse wire, where electron-builder put the app. */
export function electronBinaryPath({ appOutDir, electronPlatformName, packager }) {
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return join(appOutDir, `${name}.exe`);
  return join(appOutDir, packager.executableName);
}

/**
 * electron-builder afterPack hook. Flips with our own @electron/fuses, not
 * packager.addElectronFuses: electron-builder bundles an older copy that
 * doesn't know every fuse of our Electron, and strict mode would fail on it.
 */
export default async function afterPack(context) {
  await flipFuses(electronBinaryPath(context), fuseConfig(context.electronPlatformName));
}
