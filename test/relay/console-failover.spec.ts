// The console through the production picture of docs/deploy.md: two relay processes sharing
// PostgreSQL and Redis behind HAProxy (docs/examples/haproxy.cfg as shipped), a real agent core.
// Kill -9 the instance the console's connection is on: the live session ends there with a
// reason, the console says "Reconnecting" and comes back through the load balancer with the
// token in memory (no new sign-in), and a new request from it succeeds. A token IT disabled
// while the console was away is refused on reconnect.
import { expect, test, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import { ensureBuilt, runCli, startCli, type RunningCli } from '../cli/built-cli.js';
import { ScriptedUi } from '../core/scripted-ui.js';
import { until } from '../support/bounded-wait.js';
import { tearDownRelayPair } from './relay-pair-teardown.js';
import { freePort } from '../support/free-port.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { redisInstalled, startRedis, type RedisServer } from '../support/redis-server.js';
import { CONSOLE_SHOTS, expectNoAxeViolations, shotBothThemes, signInConsole } from './console-page.js';

const HAPROXY = '/usr/sbin/haproxy';
const CONFIG = join(import.meta.dirname, '../../docs/examples/haproxy.cfg');
const ready = existsSync(HAPROXY) && postgresBinDir() !== null && redisInstalled();

test.describe.configure({ mode: 'serial' });
test.skip(!ready, 'needs haproxy, postgresql and redis-server (apt-get install haproxy postgresql redis-server)');

let pg: PostgresServer;
let redis: RedisServer;
let storageUrl: string;
let lb: ChildProcess | undefined;
let lbEnv: NodeJS.ProcessEnv;
let base: string;
let token: string;
const ports: number[] = [];
const relays: RunningCli[] = [];
const data = mkdtempSync(join(tmpdir(), 'pl-console-lb-'));
let agent: Agent | undefined;
const ui = new ScriptedUi();

function startLoadBalancer(): void {
  lb = spawn(HAPROXY, ['-db', '-f', CONFIG], { env: lbEnv, stdio: ['ignore', 'ignore', 'ignore'] });
}

/** Established TCP connections whose local port is `port` (the relay's side of HAProxy's connections), from /proc. */
function establishedOn(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '01') n++;
    }
  }
  return n;
}

/** The one relay holding the console's WebSocket, once the page's HTTP keep-alive connections closed (Node closes them after 5 s idle). */
async function consoleInstance(): Promise<number> {
  const counts = () => ports.map(establishedOn);
  await until(() => counts().reduce((a, b) => a + b, 0) === 1, 'only the console\'s WebSocket to be open on the relays', () => `established per relay: ${counts().join(', ')}`, { ms: 20_000 });
  return counts().findIndex((n) => n === 1);
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  await ensureBuilt();
  [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
  storageUrl = await pg.createDatabase('consolelb');
  const env = { PORCHLIGHT_RELAY_DATABASE_URL: storageUrl };
  token = (await runCli(['relay', 'add-technician', '--name', 'alice', '--group', 'helpdesk', '--data', data], env)).stdout.trim().split('\n').at(-1)!;
  for (const id of ['relay-1', 'relay-2']) {
    const relay = startCli(['relay', '--port', '0', '--data', data, '--storage', storageUrl, '--bus', redis.url, '--instance-id', id, '--bus-alive-ms', '1000']);
    relays.push(relay);
    ports.push(Number(/\(port (\d+)\)/.exec(await relay.waitForOutput(/\(port \d+\)/))![1]));
  }
  const lbPort = await freePort();
  lbEnv = { ...process.env, PORCHLIGHT_LB_BIND: `127.0.0.1:${lbPort}`, PORCHLIGHT_RELAY_1: `127.0.0.1:${ports[0]}`, PORCHLIGHT_RELAY_2: `127.0.0.1:${ports[1]}` };
  const check = spawnSync(HAPROXY, ['-c', '-f', CONFIG], { env: lbEnv, encoding: 'utf8' });
  if (check.status !== 0) throw new Error(check.stderr + check.stdout);
  startLoadBalancer();
  base = `http://127.0.0.1:${lbPort}`;
});

test.afterAll(async () => {
  await tearDownRelayPair({ agent, lb, relays, pg, redis, data });
});

async function startAgent(): Promise<void> {
  const env = { PORCHLIGHT_RELAY_DATABASE_URL: storageUrl };
  const enrollment = (await runCli(['relay', 'enroll-device', '--device', 'lb-dev', '--data', data], env)).stdout.split('\n')[1]!;
  const relayKey = /relay public key: (\S+)/.exec(relays[0]!.stdout())![1]!;
  agent = createAgent({
    ui,
    dataDir: mkdtempSync(join(data, 'agent-')),
    deviceId: 'lb-dev',
    enrollmentToken: enrollment,
    backoff: { baseMs: 100, capMs: 500 },
    policy: { ...DEFAULT_POLICY, relayUrl: base.replace(/^http/, 'ws'), relayPublicKey: relayKey },
  });
  await agent.start();
  await until(() => agent!.status().connection === 'connected', 'the agent to connect through HAProxy', () => JSON.stringify(agent!.status()), { ms: 15_000 });
}

/** Fill in and send a request; the agent's user accepts view. Resent only on agent-offline (the device may be on its way back). */
async function requestSession(page: Page, ticket: string): Promise<void> {
  await page.getByLabel('Device id').fill('lb-dev');
  await page.getByLabel('Ticket', { exact: true }).fill(ticket);
  await page.getByLabel('Reason (the user reads this)').fill('VPN drops every hour');
  await page.getByLabel('View', { exact: true }).check();
  await page.getByRole('button', { name: 'Send request' }).click();
  const prompt = await ui.nextPrompt();
  ui.answer(prompt.promptId, ['view']);
  await expect(page.locator('#state')).toContainText('Session live', { timeout: 15_000 });
}

test('kill -9 of the console\'s instance: reconnecting, then reconnected without a new sign-in, and a new request succeeds', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInConsole(page, base, token, 'Signed in as alice (helpdesk)');
  const holder = await consoleInstance();
  // leastconn: the agent goes to the other instance, so the session is routed between the two.
  await startAgent();
  await requestSession(page, 'INC-LB-1');
  const sessionId = ui.banners.at(-1)!.sessionId;

  const killedAt = Date.now();
  relays[holder]!.child.kill('SIGKILL');
  await expect(page.locator('#link')).toHaveText(/Reconnecting to the relay/);
  await expect(page.locator('#state')).toContainText('Lost the connection to the relay: the relay ended this session');
  await expect(page.locator('#link')).toHaveText(/Reconnected after \d+\.\d s/, { timeout: 20_000 });
  const reconnectedMs = Date.now() - killedAt;
  console.log(`console-failover: kill -9 -> console reconnected in ${reconnectedMs} ms (${await page.locator('#link').textContent()})`);
  // No sign-in form: the same technician, the desk as it was.
  await expect(page.locator('#signin')).toBeHidden();
  await expect(page.locator('#who')).toHaveText('Signed in as alice (helpdesk)');
  // The user's side heard the end too: the session on the dead instance is over.
  await until(() => ui.hidden.includes(sessionId), 'the agent to end the session of the dead instance', () => ui.describe(), { ms: 15_000 });
  await until(() => agent!.status().connection === 'connected', 'the agent to be connected', () => JSON.stringify(agent!.status()), { ms: 15_000 });

  await requestSession(page, 'INC-LB-2');
  await expectNoAxeViolations(page);
});

test('a token IT disabled while the console was away is refused on reconnect: signed out, in words', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInConsole(page, base, token, 'Signed in as alice (helpdesk)');
  // The load balancer goes: every try fails to connect until it is back.
  lb!.kill('SIGKILL');
  await expect(page.locator('#link')).toHaveText(/Reconnecting to the relay \(lost at .*, try [2-9]/, { timeout: 15_000 });
  await expect(page.locator('#desk')).toBeVisible();
  await expect(page.locator('#devices-note')).toHaveText(/Not up to date: reconnecting/);
  await shotBothThemes(page, 'console-reconnecting');
  // 200 % zoom of the same window: half the CSS pixels.
  mkdirSync(CONSOLE_SHOTS, { recursive: true });
  await page.setViewportSize({ width: 640, height: 400 });
  await page.screenshot({ path: join(CONSOLE_SHOTS, 'console-reconnecting-zoom200-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: join(CONSOLE_SHOTS, 'console-reconnecting-zoom200-light.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  await expectNoAxeViolations(page);

  await runCli(['relay', 'technicians', 'disable', 'alice', '--as', 'Dana Admin', '--data', data], { PORCHLIGHT_RELAY_DATABASE_URL: storageUrl });
  startLoadBalancer();
  await expect(page.locator('#signin')).toBeVisible({ timeout: 20_000 });
  await expect(page.locator('#error')).toHaveText(/Sign-in failed: the token is wrong, expired or disabled/);
  await expect(page.locator('#link')).toBeHidden();
  await expect(page.locator('#who')).toHaveText('Not signed in');
});
