// electron-builder.yml: valid against electron-builder's own JSON schema
// (offline), and the security-relevant settings are what we ship.
import { existsSync, readFileSync } from 'node:fs';
import { matchesGlob } from 'node:path';
import { Ajv } from 'ajv';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { parse as parsePlist } from 'plist';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BUNDLE_ID } from '../../src/core/policy/sources/plist-source.js';

const root = new URL('../..', import.meta.url).pathname;
const text = (path: string) => readFileSync(root + path, 'utf8');
type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const config = parseYaml(text('electron-builder.yml')) as Config;

/** electron-builder's file selection: patterns in order, the last one that matches a path decides. */
function packed(path: string): boolean {
  let included = false;
  for (const pattern of config.files as string[]) {
    const negated = pattern.startsWith('!');
    if (matchesGlob(path, negated ? pattern.slice(1) : pattern)) included = !negated;
  }
  return included;
}

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's scheme.json", () => {
    const schema = JSON.parse(text('node_modules/app-builder-lib/scheme.json')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    // electron-builder's schema uses a `typeof` keyword for function-valued options.
    ajv.addKeyword({ keyword: 'typeof', schemaType: 'string', validate: (type: string, data: unknown) => typeof data === type });
    const validate = ajv.compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("passes electron-builder's own configuration check", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, asarr: true } as Config, new DebugLogger(false))).rejects.toThrow(/asarr/);
  });

  it('the schema check rejects a misspelt key (it is not vacuous)', () => {
    const ajv = new Ajv({ strict: false });
    ajv.addKeyword({ keyword: 'typeof', schemaType: 'string', validate: (type: string, data: unknown) => typeof data === type });
    const validate = ajv.compile(JSON.parse(text('node_modules/app-builder-lib/scheme.json')) as object);
    expect(validate({ ...config, asarr: true })).toBe(false);
    expect(validate({ ...config, nsis: { ...config.nsis, perMachin: true } })).toBe(false);
  });

  it('uses the bundle id the macOS policy source reads managed preferences for', () => {
    expect(config.appId).toBe(BUNDLE_ID);
    expect(config.productName).toBe('Porchlight');
  });

  it('packs the built app into an asar, and no sources, tests, source maps, relay or CLI', () => {
    expect(config.asar).toBe(true);
    const main = (JSON.parse(text('package.json')) as { main: string }).main;
    for (const path of [main, 'package.json', 'dist/src/main/main.js', 'dist/src/core/agent.js', 'dist/preload/consent.cjs', 'dist/renderer/consent/index.html', 'assets/tray/idle.png', 'assets/tray/liveTemplate@2x.png', 'assets/tray/prompting.ico', 'assets/icon.png'])
      expect(packed(path), path).toBe(true);
    for (const path of ['src/core/agent.ts', 'test/build/icons.test.ts', 'renderer/consent/main.ts', 'assets/src/tray-idle.svg', 'dist/src/core/agent.js.map', 'dist/bench/run.js', 'dist/src/relay/server.js', 'dist/src/cli/main.js', 'dist/relay-console/main.js', 'build/fuses.mjs', 'electron-builder.yml', '.git/config'])
      expect(packed(path), path).toBe(false);
  });

  it('flips the fuses in an afterPack hook and publishes nowhere', () => {
    expect(config.afterPack).toBe('./build/fuses.mjs');
    expect(existsSync(root + 'build/fuses.mjs')).toBe(true);
    expect(config.electronFuses).toBeUndefined(); // one mechanism only
    expect(config.publish).toBeNull();
    for (const section of ['win', 'mac', 'linux', 'nsis', 'msi', 'pkg', 'dmg', 'deb', 'rpm']) expect(config[section]?.publish, section).toBeUndefined();
  });

  it('Windows: per-machine nsis and msi, fixed upgrade code, nothing launched as the installing account', () => {
    expect(config.win.target).toEqual(['nsis', 'msi']);
    expect(config.nsis).toMatchObject({ perMachine: true, runAfterFinish: false, deleteAppDataOnUninstall: false });
    expect(config.msi).toMatchObject({ perMachine: true, runAfterFinish: false, upgradeCode: '6D0CF7E8-C9F4-4A38-880A-DD9CF8B34F96' });
  });

  it('Windows: the NSIS installer creates the managed-config folder owned by Administrators, writable only by them and SYSTEM', () => {
    const include = (config.nsis as { include?: string }).include;
    expect(include).toBe('build/windows/installer.nsh');
    const script = text(include!);
    expect(script).toMatch(/!macro customInstall/);
    expect(script).toMatch(/SetShellVarContext all/);
    expect(script).toMatch(/CreateDirectory "\$APPDATA\\Porchlight"/);
    expect(script).toMatch(/\/setowner \*S-1-5-32-544/);
    // Inheritance cut and every grant replaced: Administrators and SYSTEM full, Users read/execute only.
    const grant = script.split('\n').find((l) => l.includes('/grant:r'))!;
    expect(grant).toMatch(/\/inheritance:r/);
    expect([...grant.matchAll(/\*(S-[\d-]+):\(OI\)\(CI\)(\w+)/g)].map((m) => `${m[1]}=${m[2]}`)).toEqual(['S-1-5-32-544=F', 'S-1-5-18=F', 'S-1-5-32-545=RX']);
  });

  it('macOS: pkg and dmg, hardened runtime, entitlements limited to JIT', () => {
    expect(config.mac.target.map((t: { target: string }) => t.target)).toEqual(['pkg', 'dmg']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
    expect(parsePlist(text('build/entitlements.mac.plist'))).toEqual({ 'com.apple.security.cs.allow-jit': true });
    expect(config.pkg).toMatchObject({ installLocation: '/Applications', isRelocatable: false });
  });

  it('Linux: deb, rpm and AppImage; deb and rpm install an XDG autostart entry that runs the installed binary', () => {
    expect(config.linux.target).toEqual(['deb', 'rpm', 'AppImage']);
    const mapping = 'build/linux/porchlight-autostart.desktop=/etc/xdg/autostart/porchlight.desktop';
    expect(config.deb.fpm).toContain(mapping);
    expect(config.rpm.fpm).toContain(mapping);
    const entry = Object.fromEntries(
      text('build/linux/porchlight-autostart.desktop')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(entry).toMatchObject({ Type: 'Application', Name: config.productName });
    // electron-builder installs deb/rpm apps to /opt/<productName>/<executableName>.
    expect(entry.Exec).toBe(`/opt/${config.productName}/${config.linux.executableName} --hidden`);
  });

  it('every file the config names exists', () => {
    for (const path of [config.win.icon, config.mac.icon, config.linux.icon, config.mac.entitlements, 'build/linux/porchlight-autostart.desktop']) expect(existsSync(root + path), path).toBe(true);
  });
});
