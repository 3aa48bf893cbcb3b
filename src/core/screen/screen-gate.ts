// The screen gate: `view` granted through it opens the screen for the session
// (an existing local VNC server's endpoint, or an x11vnc it starts itself);
// revoke, end, expiry, relay loss, agent exit and start-up recovery close it:
// the channel drops at once and a started x11vnc is stopped with its password
// deleted. The screen service asks this gate for the endpoint at every
// channel open, so no channel opens for a session the gate has not opened.
import { GateError, type AccessGate, type GateSession } from '../access/access-gate.js';
import type { Scope } from '../../protocol/scopes.js';
import type { ScreenServerPolicy } from '../policy/schema.js';
import type { ScreenEndpoint } from './screen-channel.js';
import { resolveScreenEndpoint } from './screen-endpoint.js';
import { sessionFolder, stopLeftOver, X11vncProcess } from './x11vnc-process.js';

export type EndpointResult = { ok: true; endpoint: ScreenEndpoint } | { ok: false; detail: string };

/** What the screen service asks of the gate. */
export interface ScreenEndpoints {
  endpoint(sessionId: string): Promise<EndpointResult>;
}

export interface ScreenGateDeps {
  server: ScreenServerPolicy;
  /** Where x11vnc's per-session private folders go (the agent's data dir). */
  stateDir: string;
  /** Close the session's screen channel now (the gate is closing). */
  closeChannel: (sessionId: string) => Promise<void>;
  startTimeoutMs?: number;
}

interface OpenScreen {
  x11vnc?: X11vncProcess;
  /** The x11vnc was given to a channel: with -once it serves that one connection only. */
  handedOut?: boolean;
  starting?: Promise<X11vncProcess>;
}

/** Sessions open at once; the agent has one live session, the bound only guards against a bug. */
const MAX_OPEN = 4;

export class ScreenGate implements AccessGate, ScreenEndpoints {
  readonly name = 'screen';
  private readonly open = new Map<string, OpenScreen>();
  /** Closes still stopping an x11vnc: the next start waits, as the policy's one port is still taken until it exits. */
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly d: ScreenGateDeps) {}

  get startsX11vnc(): boolean {
    return this.d.server.x11vncDisplay !== undefined;
  }

  async grant(session: GateSession, scope: Scope): Promise<void> {
    if (scope !== 'view' || this.open.has(session.sessionId)) return;
    if (this.open.size >= MAX_OPEN) throw new GateError('gate-failed', this.name, 'too many screen sessions are open');
    if (!this.startsX11vnc) {
      const resolved = resolveScreenEndpoint(this.d.server);
      if (!resolved.ok) throw new GateError('gate-unavailable', this.name, resolved.detail);
      this.open.set(session.sessionId, {});
      return;
    }
    const entry: OpenScreen = {};
    this.open.set(session.sessionId, entry);
    try {
      await Promise.allSettled(this.closing);
      entry.x11vnc = await this.startX11vnc(session.sessionId);
    } catch (err) {
      this.open.delete(session.sessionId);
      throw new GateError('gate-unavailable', this.name, (err as Error).message);
    }
  }

  async revoke(session: GateSession, scope: Scope): Promise<void> {
    if (scope === 'view') await this.close(session.sessionId);
  }

  async end(session: GateSession): Promise<void> {
    await this.close(session.sessionId);
  }

  /**
   * The endpoint for a channel of this session. An x11vnc serves one channel
   * (-once): the next channel gets a fresh one with a new password, the old
   * one stopped first (it may still be exiting after its viewer left).
   */
  async endpoint(sessionId: string): Promise<EndpointResult> {
    const entry = this.open.get(sessionId);
    if (!entry) return { ok: false, detail: 'the screen gate has not opened the screen for this session' };
    if (!this.startsX11vnc) return resolveScreenEndpoint(this.d.server);
    let x11vnc: X11vncProcess;
    try {
      if (!entry.x11vnc || entry.x11vnc.exited || entry.handedOut) {
        const old = entry.x11vnc;
        entry.x11vnc = undefined;
        await old?.stop();
        entry.starting ??= this.startX11vnc(sessionId);
        entry.x11vnc = await entry.starting.finally(() => delete entry.starting);
        entry.handedOut = false;
      }
      x11vnc = entry.x11vnc;
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
    // Closed while x11vnc was starting: stop what just started.
    if (this.open.get(sessionId) !== entry) {
      await x11vnc.stop();
      return { ok: false, detail: 'the screen was closed' };
    }
    entry.handedOut = true;
    return { ok: true, endpoint: x11vnc.endpoint };
  }

  private startX11vnc(sessionId: string): Promise<X11vncProcess> {
    const s = this.d.server;
    return X11vncProcess.start({
      stateDir: this.d.stateDir,
      sessionId,
      host: s.host,
      port: s.port,
      display: s.x11vncDisplay!,
      ...(s.x11vncPath ? { executable: s.x11vncPath } : {}),
      ...(s.xauthority ? { xauthority: s.xauthority } : {}),
      ...(this.d.startTimeoutMs ? { startTimeoutMs: this.d.startTimeoutMs } : {}),
    });
  }

  private async close(sessionId: string): Promise<void> {
    const closing = this.stop(sessionId);
    this.closing.add(closing);
    try {
      await closing;
    } finally {
      this.closing.delete(closing);
    }
  }

  private async stop(sessionId: string): Promise<void> {
    const entry = this.open.get(sessionId);
    this.open.delete(sessionId);
    await this.d.closeChannel(sessionId);
    await entry?.x11vnc?.stop();
    // After a crash the process is not ours any more: find it by the session's folder (recovery at start).
    if (this.startsX11vnc) await stopLeftOver(sessionFolder(this.d.stateDir, sessionId));
  }
}
