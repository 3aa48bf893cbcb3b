// Real parts for the console's screen tests: the relay as its own process
// (serving the built console), Xvfb on a free display with an X input
// recorder (xev on the root window), and the agent core with the reference
// Linux screen gate configured by policy (x11vnc started per session on
// loopback with a one-time password). The user grants what the test says.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import type { UiPort } from '../../src/core/ui-port.js';
import type { Scope } from '../../src/protocol/scopes.js';
import { startRelayProcess, type RelayProcess } from '../e2e/relay-process.js';
import { until } from '../support/bounded-wait.js';
import { grantingUi } from '../support/granting-ui.js';
import { CHILD_PROCESS_START_MS } from '../support/wait-until-online.js';
import { freePort, startXDisplay, type XDisplay } from '../screen/x-display.js';

const run = promisify(execFile);
export const DEVICE = 'LAPTOP-0042';

/** X input events as xev prints them for the root window ("ButtonPress event, serial ... button 1 ..."). */
export interface InputRecorder {
  /** Key and button events the X server delivered, one line each (the readiness probe's Shift left out). */
  events(): string[];
  stop(): Promise<void>;
}

export interface ConsoleScreenWorld {
  relay: RelayProcess;
  x: XDisplay;
  agent: Agent;
  /** API token of technician "eve" (all scopes). */
  token: string;
  /** What the user grants at the next prompt (the request or a request for more access). */
  grant: Scope[];
  /** Prompts the user answered. */
  prompts: number;
  paint(colour: string): Promise<void>;
  /** A photo-like window over the whole display (test/fixtures/photo-screen.py, Tk); resolves with its stop. */
  showPhoto(): Promise<() => Promise<void>>;
  recordInput(): Promise<InputRecorder>;
  /** SIGKILL the x11vnc the agent's gate started for this display (by pid); how many there were. */
  killGateVnc(): number;
  close(): Promise<void>;
}

async function stopChild(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  await exited;
}

export async function startConsoleScreenWorld(colour: string): Promise<ConsoleScreenWorld> {
  const relay = await startRelayProcess();
  const x = await startXDisplay(colour);
  const env = { ...process.env, DISPLAY: x.display };
  let connected = false;
  const world = { grant: [] as Scope[], prompts: 0 };
  const ui: UiPort = {
    ...grantingUi,
    setStatus: (s) => void (connected = s.connection === 'connected'),
    showConsent(view) {
      world.prompts++;
      return Promise.resolve({ kind: 'decision', promptId: view.promptId, granted: view.scopes.filter((s) => world.grant.includes(s)) });
    },
  };
  const agent = createAgent({
    deviceId: DEVICE,
    ui,
    dataDir: mkdtempSync(join(tmpdir(), 'pl-console-screen-')),
    enrollmentToken: await relay.enroll(DEVICE),
    // Several requests by one technician in a few minutes: past the default prompt budget (3 per 10 min).
    policy: { ...DEFAULT_POLICY, rateLimit: { prompts: 20, windowMinutes: 10, autoDeclineAfterDeclines: 20 }, relayUrl: relay.url, relayPublicKey: relay.publicKey, screenServer: { host: '127.0.0.1', port: await freePort(), x11vncDisplay: x.display } },
  });
  await agent.start();
  await until(() => connected, `agent ${DEVICE} connected to the relay process`, () => 'not connected', { ms: CHILD_PROCESS_START_MS });
  const token = await relay.addTechnician('eve');
  return Object.assign(world, {
    relay,
    x,
    agent,
    token,
    async paint(c: string) {
      await run('/usr/bin/xsetroot', ['-solid', c], { env });
    },
    async showPhoto() {
      let out = '';
      const tk = spawn('/usr/bin/python3', [fileURLToPath(new URL('../fixtures/photo-screen.py', import.meta.url))], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      tk.stdout.on('data', (d: Buffer) => (out += d.toString()));
      tk.stderr.on('data', (d: Buffer) => (out += d.toString()));
      await until(() => out.includes('shown') || tk.exitCode !== null, 'the photo window to show', () => out.slice(-300), { ms: CHILD_PROCESS_START_MS });
      if (tk.exitCode !== null) throw new Error(`photo-screen.py exited: ${out.slice(-300)}`);
      return () => stopChild(tk);
    },
    async recordInput(): Promise<InputRecorder> {
      let out = '';
      const xev = spawn('/usr/bin/xev', ['-root', '-event', 'keyboard', '-event', 'button'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      xev.stdout.on('data', (d: Buffer) => (out += d.toString()));
      xev.stderr.on('data', (d: Buffer) => (out += d.toString()));
      // One block per event: "KeyPress event, serial ..." then its details (keysym) up to a blank line.
      const blocks = () => out.split('\n\n').map((b) => b.trim()).filter((b) => /^(KeyPress|KeyRelease|ButtonPress|ButtonRelease) event/.test(b));
      // Listening once a Shift pressed with xdotool shows up; Shift is the readiness probe, never the test's input.
      const deadline = Date.now() + CHILD_PROCESS_START_MS;
      while (!blocks().some((b) => b.includes('Shift_L'))) {
        if (xev.exitCode !== null || Date.now() > deadline) throw new Error(`xev is not recording input on ${x.display}: ${out.slice(-300)}`);
        await run('/usr/bin/xdotool', ['key', 'shift'], { env });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return {
        events: () => blocks().filter((b) => !b.includes('Shift_L')).map((b) => b.split('\n').map((l) => l.trim()).join(' ')),
        stop: () => stopChild(xev),
      };
    },
    killGateVnc() {
      const pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
          return argv[0]?.endsWith('x11vnc') === true && argv[argv.indexOf('-display') + 1] === x.display;
        } catch {
          return false; // gone meanwhile
        }
      });
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
      return pids.length;
    },
    async close() {
      await agent.stop();
      await relay.stop();
      await x.stop();
    },
  });
}
