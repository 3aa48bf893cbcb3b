import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { readAgentConfig } from '../../src/core/headless/agent-config.js';
import { configArg, defaultConfigPath, deviceIdFromHostname, launchPlan, untrustedConfigReason } from '../../src/main/launch-plan.js';
import { HIDDEN_ARG, loginItemSettings, skipAutostartLaunch } from '../../src/main/login-item.js';
import { claimSingleInstance } from '../../src/main/single-instance.js';

const real = { readConfig: readAgentConfig, exists: existsSync, packaged: false, stat: () => undefined };

describe('launch plan', () => {
  it('reads the agent config named by --config (the headless format)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-launch-'));
    const path = join(dir, 'agent.json');
    writeFileSync(path, JSON.stringify({ deviceId: 'LAPTOP-0042', dataDir: join(dir, 'data'), policy: { relayUrl: 'ws://127.0.0.1:7443' } }));
    const plan = launchPlan({ argv: ['/usr/lib/electron', '/app', '--no-sandbox', '--config', path], env: {}, platform: 'linux', hostname: 'h', ...real });
    expect(plan).toMatchObject({ configPath: path, deviceId: 'LAPTOP-0042', dataDir: join(dir, 'data'), problems: [] });
    expect(plan.config?.policy?.relayUrl).toBe('ws://127.0.0.1:7443');
  });

  it('also takes $PORCHLIGHT_AGENT_CONFIG and --config=FILE', () => {
    expect(configArg(['x', '--config=/a/b.json'])).toBe('/a/b.json');
    const plan = launchPlan({ argv: [], env: { PORCHLIGHT_AGENT_CONFIG: '/nope/agent.json' }, platform: 'linux', hostname: 'h', ...real });
    expect(plan.configPath).toBe('/nope/agent.json');
    expect(plan.problems).toEqual([expect.stringMatching(/^config-unreadable: .*running unconfigured$/)]);
  });

  it('runs unconfigured without a config: device id from the host name, per-user data dir, nothing to report', () => {
    const plan = launchPlan({ argv: [], env: { XDG_STATE_HOME: '/home/u/.local/state' }, platform: 'linux', hostname: 'Ann’s MacBook', readConfig: () => { throw new Error('not read'); }, exists: () => false, packaged: false, stat: () => undefined });
    expect(plan).toEqual({ configPath: '/etc/porchlight/agent.json', config: undefined, deviceId: 'Ann-s-MacBook', dataDir: '/home/u/.local/state/porchlight', problems: [] });
  });

  it('reports an invalid config and does not use any of it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-launch-'));
    const path = join(dir, 'agent.json');
    writeFileSync(path, JSON.stringify({ deviceId: 'ok-id', policy: { allowQuit: 'no' } }));
    const plan = launchPlan({ argv: ['--config', path], env: {}, platform: 'linux', hostname: 'box', ...real });
    expect(plan.config).toBeUndefined();
    expect(plan.deviceId).toBe('box');
    expect(plan.problems[0]).toMatch(/^config-invalid: /);
  });

  describe('relayCaFile (a private CA for a wss:// relay, from the IT config)', () => {
    const withCa = (extra: Record<string, unknown> = {}) => ({ deviceId: 'LAPTOP-CA', relayCaFile: '/etc/porchlight/relay-ca.pem', policy: { relayUrl: 'wss://relay.corp:7443' }, ...extra });
    const planFor = (config: Record<string, unknown>, readCa: NonNullable<Parameters<typeof launchPlan>[0]['readCa']>, packaged = false, stat: Parameters<typeof launchPlan>[0]['stat'] = () => undefined) =>
      launchPlan({ argv: ['--config', '/dev/agent.json'], env: {}, platform: 'linux', hostname: 'box', packaged, exists: () => true, stat, readConfig: () => ({ ok: true, config: config as never }), readCa });

    it('passes the CA to createAgent added to the system roots', () => {
      const read: string[] = [];
      const plan = planFor(withCa(), (p) => (read.push(p), { ok: true, pem: 'CA-PEM' }));
      expect(read).toEqual(['/etc/porchlight/relay-ca.pem']);
      expect(plan.problems).toEqual([]);
      expect(plan.wsOptions).toEqual({ ca: [...rootCertificates, 'CA-PEM'] });
    });

    it('has no ws options without relayCaFile', () => {
      expect(planFor({ deviceId: 'x' }, () => { throw new Error('not read'); }).wsOptions).toBeUndefined();
    });

    it('runs unconfigured, saying why, with a bad CA file or a CA for a ws:// relay', () => {
      const bad = planFor(withCa(), () => ({ ok: false, code: 'ca-invalid', detail: '/etc/porchlight/relay-ca.pem holds no PEM certificate' }));
      expect(bad).toMatchObject({ config: undefined, wsOptions: undefined, deviceId: 'box' });
      expect(bad.problems).toEqual(['ca-invalid: relayCaFile: /etc/porchlight/relay-ca.pem holds no PEM certificate; running unconfigured']);
      const plain = planFor(withCa({ policy: { relayUrl: 'ws://relay.corp:7443' } }), () => { throw new Error('not read'); });
      expect(plain.config).toBeUndefined();
      expect(plain.problems).toEqual([expect.stringMatching(/^config-invalid: .*relayCaFile only applies to a wss:\/\/ relay/)]);
    });

    it('reads a real PEM file (the shared loader) and reports an unreadable one', () => {
      const dir = mkdtempSync(join(tmpdir(), 'pl-launch-ca-'));
      const path = join(dir, 'agent.json');
      writeFileSync(path, JSON.stringify(withCa({ relayCaFile: join(dir, 'missing.pem') })));
      const plan = launchPlan({ argv: ['--config', path], env: {}, platform: 'linux', hostname: 'box', ...real });
      expect(plan.problems).toEqual([expect.stringMatching(/^ca-unreadable: relayCaFile: cannot read .*missing\.pem: ENOENT; running unconfigured$/)]);
    });

    it('packaged: the CA file must be as admin-only as the config (else the user could swap the relay CA)', () => {
      const rootOwned = (p: string) => (p.endsWith('.pem') || p.endsWith('.json') ? { uid: 0, mode: 0o100644 } : { uid: 0, mode: 0o40755 });
      const ok = launchPlan({ argv: [], env: {}, platform: 'linux', hostname: 'box', packaged: true, exists: () => true, stat: rootOwned, readConfig: () => ({ ok: true, config: withCa() as never }), readCa: () => ({ ok: true, pem: 'P' }) });
      expect(ok.problems).toEqual([]);
      expect(ok.wsOptions?.ca.at(-1)).toBe('P');
      const userCa = (p: string) => (p === '/etc/porchlight/relay-ca.pem' ? { uid: 1000, mode: 0o100644 } : rootOwned(p));
      const refused = launchPlan({ argv: [], env: {}, platform: 'linux', hostname: 'box', packaged: true, exists: () => true, stat: userCa, readConfig: () => ({ ok: true, config: withCa() as never }), readCa: () => { throw new Error('not read'); } });
      expect(refused).toMatchObject({ config: undefined, wsOptions: undefined });
      expect(refused.problems).toEqual(['config-untrusted: relayCaFile /etc/porchlight/relay-ca.pem is not owned by root, so the user could have written it; running unconfigured']);
    });
  });

  describe('packaged app (the config is layered as IT policy, so the user must not be able to supply it)', () => {
    const rootOwned = { uid: 0, mode: 0o100644 };
    const rootDir = { uid: 0, mode: 0o40755 };
    /** A packaged launch on Linux where /etc/porchlight/agent.json exists with the given ownership. */
    function packagedLaunch(file: { uid: number; mode: number }, dir = rootDir, argv: string[] = [], env: NodeJS.ProcessEnv = {}) {
      const read: string[] = [];
      const plan = launchPlan({
        argv,
        env,
        platform: 'linux',
        hostname: 'box',
        packaged: true,
        exists: (p) => p === '/etc/porchlight/agent.json',
        stat: (p) => (p === '/etc/porchlight/agent.json' ? file : p === '/etc/porchlight' ? dir : undefined),
        readConfig: (p) => (read.push(p), { ok: true, config: { deviceId: 'from-etc', policy: { emergencyAllowed: true } } }),
      });
      return { plan, read };
    }

    it('ignores --config and $PORCHLIGHT_AGENT_CONFIG, says so, and reads only the root-owned default', () => {
      const dir = mkdtempSync(join(tmpdir(), 'pl-launch-'));
      const userFile = join(dir, 'agent.json');
      writeFileSync(userFile, JSON.stringify({ deviceId: 'evil', policy: { emergencyAllowed: true, unattendedAllowed: true } }));
      const viaArg = packagedLaunch(rootOwned, rootDir, ['/opt/Porchlight/porchlight', '--config', userFile]);
      expect(viaArg.read).toEqual(['/etc/porchlight/agent.json']);
      expect(viaArg.plan).toMatchObject({ configPath: '/etc/porchlight/agent.json', deviceId: 'from-etc' });
      expect(viaArg.plan.problems).toEqual([expect.stringMatching(/^config-override-ignored: --config is for development/)]);
      const viaEnv = packagedLaunch(rootOwned, rootDir, [], { PORCHLIGHT_AGENT_CONFIG: userFile });
      expect(viaEnv.read).toEqual(['/etc/porchlight/agent.json']);
      expect(viaEnv.plan.problems).toEqual([expect.stringMatching(/^config-override-ignored: \$PORCHLIGHT_AGENT_CONFIG/)]);
    });

    it('refuses a default config the user could have written: not root-owned, group/world-writable, or in such a directory', () => {
      for (const [file, dir, why] of [
        [{ uid: 1000, mode: 0o100644 }, rootDir, 'is not owned by root'],
        [{ uid: 0, mode: 0o100666 }, rootDir, 'is writable by group or others'],
        [{ uid: 0, mode: 0o100664 }, rootDir, 'is writable by group or others'],
        [rootOwned, { uid: 1000, mode: 0o40755 }, 'is not owned by root'],
        [rootOwned, { uid: 0, mode: 0o40777 }, 'is writable by group or others'],
      ] as const) {
        const { plan, read } = packagedLaunch(file, dir);
        expect(read).toEqual([]);
        expect(plan.config).toBeUndefined();
        expect(plan.deviceId).toBe('box');
        expect(plan.problems).toEqual([expect.stringMatching(new RegExp(`^config-untrusted: /etc/porchlight.* ${why}, .*running unconfigured$`))]);
      }
    });

    it('a missing default config is still normal, and a development checkout keeps --config', () => {
      const none = launchPlan({ argv: [], env: {}, platform: 'linux', hostname: 'box', packaged: true, exists: () => false, stat: () => undefined, readConfig: () => { throw new Error('not read'); } });
      expect(none.problems).toEqual([]);
      const dev = launchPlan({ argv: ['--config', '/dev-only.json'], env: {}, platform: 'linux', hostname: 'box', packaged: false, exists: () => true, stat: () => ({ uid: 1000, mode: 0o100666 }), readConfig: (p) => ({ ok: true, config: { deviceId: p === '/dev-only.json' ? 'dev' : 'x' } }) });
      expect(dev).toMatchObject({ configPath: '/dev-only.json', deviceId: 'dev', problems: [] });
    });

    it('Windows: only a config under C:\\ProgramData (whose ACL the installer restricts to Administrators)', () => {
      expect(untrustedConfigReason('C:\\ProgramData\\Porchlight\\agent.json', 'win32', () => undefined)).toBeUndefined();
      expect(untrustedConfigReason('C:\\Users\\ann\\agent.json', 'win32', () => undefined)).toMatch(/is not under C:\\ProgramData$/);
      expect(untrustedConfigReason('C:\\ProgramData\\..\\Users\\ann\\agent.json', 'win32', () => undefined)).toMatch(/is not under/);
      expect(untrustedConfigReason('D:\\ProgramData\\Porchlight\\agent.json', 'win32', () => undefined)).toMatch(/is not under/);
    });

    it('Windows: an overridden %ProgramData% moves neither the trusted path nor the trust check (review2 item 3)', () => {
      const userDir = 'C:\\Users\\u\\pd';
      // In the plan's env and in process.env: neither may move the trust root.
      vi.stubEnv('ProgramData', userDir);
      vi.stubEnv('PROGRAMDATA', userDir);
      onTestFinished(() => {
        vi.unstubAllEnvs();
      });
      const read: string[] = [];
      const plan = launchPlan({
        argv: [],
        env: { ProgramData: userDir, PROGRAMDATA: userDir, LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
        platform: 'win32',
        hostname: 'pc',
        packaged: true,
        exists: () => true,
        stat: () => undefined,
        readConfig: (p) => (read.push(p), { ok: true, config: { deviceId: 'it-config' } }),
      });
      expect(read).toEqual(['C:\\ProgramData\\Porchlight\\agent.json']);
      expect(plan).toMatchObject({ configPath: 'C:\\ProgramData\\Porchlight\\agent.json', deviceId: 'it-config', problems: [] });
      // The file the launcher pointed %ProgramData% at is no more trusted than any other user file.
      expect(untrustedConfigReason(`${userDir}\\Porchlight\\agent.json`, 'win32', () => undefined)).toMatch(/is not under C:\\ProgramData$/);
    });
  });

  it('knows where IT puts the config per OS (fixed paths, no environment input)', () => {
    expect(defaultConfigPath('win32')).toBe('C:\\ProgramData\\Porchlight\\agent.json');
    expect(defaultConfigPath('darwin')).toBe('/Library/Application Support/Porchlight/agent.json');
    expect(defaultConfigPath('linux')).toBe('/etc/porchlight/agent.json');
  });

  it('makes valid device ids from any host name', () => {
    expect(deviceIdFromHostname('---')).toBe('desktop');
    expect(deviceIdFromHostname('a'.repeat(100))).toHaveLength(64);
  });
});

describe('login item', () => {
  it('Windows: the app exe, hidden, on or off as policy says', () => {
    expect(loginItemSettings(true, 'win32', 'C:\\Program Files\\Porchlight\\Porchlight.exe')).toEqual({ openAtLogin: true, enabled: true, path: 'C:\\Program Files\\Porchlight\\Porchlight.exe', args: [HIDDEN_ARG] });
    expect(loginItemSettings(false, 'win32', 'x')).toMatchObject({ openAtLogin: false, enabled: false });
  });
  it('macOS: a login item; Linux: none (the package installs an autostart entry)', () => {
    expect(loginItemSettings(true, 'darwin', 'x')).toEqual({ openAtLogin: true, args: [HIDDEN_ARG] });
    expect(loginItemSettings(true, 'linux', 'x')).toBeUndefined();
  });
  it('a launch by the autostart entry quits when start at login is off; a launch by the user never does', () => {
    expect(skipAutostartLaunch(false, ['/opt/Porchlight/porchlight', HIDDEN_ARG])).toBe(true);
    expect(skipAutostartLaunch(true, ['/opt/Porchlight/porchlight', HIDDEN_ARG])).toBe(false);
    expect(skipAutostartLaunch(false, ['/opt/Porchlight/porchlight'])).toBe(false);
  });
});

describe('single instance', () => {
  function fakeApp(lock: boolean) {
    const calls: string[] = [];
    let second: (() => void) | undefined;
    return {
      calls,
      fire: () => second?.(),
      app: { requestSingleInstanceLock: () => lock, on: (_e: 'second-instance', l: () => void) => (second = l), quit: () => calls.push('quit') },
    };
  }
  it('the first instance keeps running and is told about later launches', () => {
    const f = fakeApp(true);
    let woken = 0;
    expect(claimSingleInstance(f.app, () => woken++)).toBe(true);
    f.fire();
    expect(woken).toBe(1);
    expect(f.calls).toEqual([]);
  });
  it('a second instance quits at once', () => {
    const f = fakeApp(false);
    expect(claimSingleInstance(f.app, () => undefined)).toBe(false);
    expect(f.calls).toEqual(['quit']);
  });
});

describe('quit sequence', () => {
  it('holds the first quit until the agent stopped, then quits once', async () => {
    const { quitSequence } = await import('../../src/main/quit-sequence.js');
    const events: string[] = [];
    let release!: () => void;
    const stopped = new Promise<void>((r) => (release = r));
    const app = { quit: () => { events.push('quit'); onBeforeQuit({ preventDefault: () => events.push('prevented-again') }); } };
    const onBeforeQuit = quitSequence(app, () => { events.push('stop'); return stopped; }, () => undefined);
    onBeforeQuit({ preventDefault: () => events.push('prevented') });
    onBeforeQuit({ preventDefault: () => events.push('prevented') });
    expect(events).toEqual(['prevented', 'stop', 'prevented']);
    release();
    await stopped;
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['prevented', 'stop', 'prevented', 'quit']);
  });

  it('still quits when stopping fails', async () => {
    const { quitSequence } = await import('../../src/main/quit-sequence.js');
    const logged: string[] = [];
    let quit = 0;
    const onBeforeQuit = quitSequence({ quit: () => quit++ }, () => Promise.reject(new Error('audit closed')), (e, d) => logged.push(`${e}: ${d}`));
    onBeforeQuit({ preventDefault: () => undefined });
    await new Promise((r) => setImmediate(r));
    expect(quit).toBe(1);
    expect(logged).toEqual(['stop-failed: audit closed']);
  });
});
