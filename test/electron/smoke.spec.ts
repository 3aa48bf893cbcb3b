// The real desktop app (built main + preloads + pages) in the real Electron
// binary against a real relay: it connects, the tray says so, a technician's
// request opens the consent window, the user allows, the technician gets the
// decision. Skips where no Electron binary is installed (our machines).
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { findElectronBinary } from './electron-binary.js';

const root = new URL('../..', import.meta.url).pathname;
const binary = findElectronBinary();

test.describe('desktop app smoke (Electron)', () => {
  test.skip(!binary.ok, `Skipped: ${binary.ok ? '' : binary.reason}. Install Electron's binary to run the desktop smoke test.`);

  let relay: TestRelay | undefined;
  let app: ElectronApplication | undefined;
  let tech: TechnicianClient | undefined;
  let tmp: string | undefined;

  test.afterEach(async () => {
    await tech?.close();
    await app?.close();
    await relay?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('connects, shows a consent window for a request, and the user allows it', async () => {
    if (!binary.ok) return;
    expect(existsSync(join(root, 'dist/src/main/main.js')), 'run `npm run build` first').toBe(true);
    tmp = mkdtempSync(join(tmpdir(), 'pl-electron-smoke-'));
    relay = await startTestRelay();
    const deviceId = 'smoke-desktop';
    const configPath = join(tmp, 'agent.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        deviceId,
        enrollmentToken: await relay.enroll(deviceId),
        dataDir: join(tmp, 'data'),
        policy: { relayUrl: relay.relay.url, relayPublicKey: relay.relayKey.publicKey },
      }),
    );
    app = await electron.launch({
      executablePath: binary.path,
      args: [root, '--config', configPath],
      // Own userData (settings) and no MDM policy from this machine's user.
      env: { ...process.env, PORCHLIGHT_SMOKE: '1', XDG_CONFIG_HOME: join(tmp, 'config'), HOME: tmp } as Record<string, string>,
    });

    await expect.poll(() => relay!.relay.router.isOnline(deviceId), { timeout: 20_000 }).toBe(true);
    await expect
      .poll(() => app!.evaluate(() => (globalThis as unknown as { porchlightSmoke: { trayTooltip(): string } }).porchlightSmoke.trayTooltip()), { timeout: 10_000 })
      .toMatch(/^Porchlight: Connected to 127\.0\.0\.1:\d+$/);

    const r = await connectTechnician(relay.relay.url, await relay.addTechnician('alice'));
    if (!r.ok) throw new Error(r.detail);
    tech = r.client;
    const decision = tech.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    const ask: Message<'tech.request'> = { v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: 'INC-SMOKE' }, reason: 'Smoke test', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 };
    tech.send(ask);

    // The consent window is usually preloaded (hidden) before the request, so look for it rather than wait for a new one.
    const consentUrl = `file://${join(root, 'dist/renderer/consent/index.html')}`;
    const consentPage = () => app!.windows().find((p) => p.url() === consentUrl);
    await expect.poll(() => consentPage() !== undefined, { timeout: 15_000 }).toBe(true);
    const page = consentPage()!;
    await expect(page.getByRole('heading', { level: 1 })).toContainText('wants to connect to this computer');
    const allow = page.getByRole('button', { name: 'Allow selected' });
    await expect(allow).not.toHaveAttribute('aria-disabled', 'true', { timeout: 15_000 });
    await allow.click();
    expect(await decision).toMatchObject({ outcome: 'accepted', granted: ['view'] });
  });
});
