// Types for build/fuses.mjs (plain JS so electron-builder can load it without a build step).
import type { FuseConfig } from '@electron/fuses';

export declare const FUSES: Readonly<Record<string, boolean>>;
export declare function fuseConfig(electronPlatformName: string): FuseConfig;
export interface AfterPackContext {
  electronPlatformName: string;
  appOutDir: string;
  packager: { appInfo: { productFilename: string }; executableName?: string };
}
export declare function electronBinaryPath(context: AfterPackContext): string;
export default function afterPack(context: AfterPackContext): Promise<void>;
