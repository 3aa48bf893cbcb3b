// Routing between technicians and agents: connections come and go here, and
// frames go to the handler for their side.
//
// What is audited when (docs/relay.md "Audit before forwarding"): every frame
// the relay forwards or answers with a state change (request, cancel,
// decision, start, scope request and update, narration, file transfer and
// result, end, summary, close, an agent's refusal) and every end the relay
// makes itself (request expiry, session expiry, disconnects, shutdown) is
// written to the central audit before any peer is sent anything about it.
// Not audited: error replies about a frame the relay could not route
// (bad frame, unknown session, expired, rate limit), and the technician's
// notice that an agent left before an accepted session started.
import type { Message } from '../protocol/messages.js';
import type { Ed25519KeyPair } from '../protocol/signing.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { CentralAudit } from './audit/central-audit.js';
import type { Peer } from './peer.js';
import { InProcessPeerDirectory, type PeerDirectory } from './peer-directory.js';
import { CLOSE, ROUTING_LIMITS, type RoutingBounds } from './relay-constants.js';
import { AgentFrames } from './routing/agent-frames.js';
import { ChannelFrames } from './routing/channel-frames.js';
import { RelayEnds } from './routing/relay-ends.js';
import { ClockSkewRefusals } from './routing/clock-skew-refusals.js';
import { recordQuietly, type RoutingContext } from './routing/routing-context.js';
import { MAX_FUTURE_SKEW_MS } from '../protocol/limits.js';
import { clockSkewText } from '../shared/clock-skew-text.js';
import { SessionClock } from './routing/session-clock.js';
import { PendingCaps } from './routing/pending-caps.js';
import { SessionTable, type SessionTableSizes } from './routing/session-table.js';
import { TechnicianFrames } from './routing/technician-frames.js';
import { ScheduleFrames } from './routing/schedule-frames.js';
import { cryptoRandomness, type RequestRandomness } from './session-request-builder.js';
import type { RelayStorage } from './storage/storage.js';
import { DEFAULT_MFA_POLICY, type MfaPolicy } from './accounts/mfa-policy.js';
import type { SignedInTechnician } from './accounts/technician-sign-in.js';

export interface RouterOptions {
  storage: RelayStorage;
  relayKey: Ed25519KeyPair;
  /** Time and timers for request and session expiry (and the audit's timestamps). */
  clock?: Clock;
  random?: RequestRandomness;
  /** How long a request is valid for the agent. */
  requestLifetimeMs?: number;
  /** Extra wait after expiry before the relay itself reports `expired`. */
  expiryGraceMs?: number;
  /** Pending requests one technician account may have at once, over all its connections (default 5). */
  maxPendingPerTechnician?: number;
  /** Pending requests one device may have at once, from all technicians (default 10). */
  maxPendingPerDevice?: number;
  /** Pinned IT approvals public key: when set, the relay also checks approval signatures. */
  approvalsPublicKey?: string;
  /** Where agents are connected (default: this process only). A bus-backed one spans relay instances. */
  directory?: PeerDirectory;
  /** Caps on what the router remembers (default ROUTING_LIMITS). */
  bounds?: RoutingBounds;
  /** When technicians need a second factor (default: for unattended and emergency requests). */
  mfa?: MfaPolicy;
  /** The relay log. */
  log?: (line: string) => void;
}

export class Router {
  private readonly ctx: RoutingContext;
  private readonly technicianFrames: TechnicianFrames;
  private readonly agentFrames: AgentFrames;
  private readonly ends: RelayEnds;
  private readonly channels: ChannelFrames;
  private readonly schedules: ScheduleFrames;

  constructor(opts: RouterOptions) {
    const clock = opts.clock ?? systemClock;
    const sessionClock = new SessionClock(clock, opts.expiryGraceMs ?? ROUTING_LIMITS.expiryGraceMs);
    this.ctx = {
      table: new SessionTable(
        sessionClock,
        opts.bounds,
        new PendingCaps({
          perTechnician: opts.maxPendingPerTechnician ?? ROUTING_LIMITS.maxPendingPerTechnician,
          perDevice: opts.maxPendingPerDevice ?? ROUTING_LIMITS.maxPendingPerDevice,
        }),
      ),
      clock: sessionClock,
      audit: new CentralAudit(opts.storage, () => clock.now()),
      directory: opts.directory ?? new InProcessPeerDirectory(),
      storage: opts.storage,
      relayKey: opts.relayKey,
      random: opts.random ?? cryptoRandomness,
      lifetimeMs: opts.requestLifetimeMs ?? ROUTING_LIMITS.requestLifetimeMs,
      mfa: opts.mfa ?? DEFAULT_MFA_POLICY,
      clockSkew: new ClockSkewRefusals(),
      ...(opts.approvalsPublicKey !== undefined ? { approvalsPublicKey: opts.approvalsPublicKey } : {}),
      ...(opts.log !== undefined ? { log: opts.log } : {}),
    };
    const shared = this.ctx.directory.sharedPending;
    if (shared) {
      const { log } = this.ctx;
      const lost = (err: unknown) =>
        log?.(`relay bus: a shared pending slot was not given back (${(err as Error).message})`);
      this.ctx.table.releaseShared = (hold) => void shared.release(hold).catch(lost);
    }
    this.channels = new ChannelFrames(this.ctx);
    this.ctx.table.onEnded = (s) => this.channels.sessionEnded(s);
    this.schedules = new ScheduleFrames(this.ctx);
    this.technicianFrames = new TechnicianFrames(this.ctx, this.channels, this.schedules);
    this.agentFrames = new AgentFrames(this.ctx, this.channels, this.schedules);
    this.ends = new RelayEnds(this.ctx);
    this.technicianFrames.onRequestDue = (requestId) => void this.ends.expireRequest(requestId);
    this.agentFrames.onRequestDue = this.technicianFrames.onRequestDue;
    sessionClock.onSessionDue = (s) => void this.ends.expireSession(s);
  }

  get onlineAgents(): number {
    return this.ctx.directory.agentCount;
  }

  isOnline(deviceId: string): boolean {
    return this.ctx.directory.agent(deviceId) !== undefined;
  }

  /** With whom and for which ticket the device is in a session routed here, if it is. */
  liveSession(deviceId: string): { technicianName: string; ticketId: string } | undefined {
    const s = this.ctx.table.liveSessionOf(deviceId);
    return s && { technicianName: s.tech.name, ticketId: s.ticketId };
  }

  /** The clock offset of a recent refusal of this device at hello, if any. */
  recentClockRefusal(deviceId: string): number | undefined {
    return this.ctx.clockSkew.recentOffset(deviceId, this.ctx.clock.now());
  }

  /** How much the router remembers right now (each bounded; see SessionTable). */
  sizes(): SessionTableSizes {
    return this.ctx.table.sizes();
  }

  /** An enrolled device was refused at hello for its clock: remember it, log and audit it (rate-limited). */
  agentClockRefused(deviceId: string, offsetMs: number): void {
    const due = this.ctx.clockSkew.note(deviceId, offsetMs, this.ctx.clock.now());
    if (due.log) this.ctx.log?.(`relay: refused device ${deviceId}: ${clockSkewText('its', offsetMs)}`);
    if (due.audit) {
      const data = { reason: 'clock-skew' as const, offsetMs: Math.round(offsetMs), limitMs: MAX_FUTURE_SKEW_MS };
      void recordQuietly(this.ctx.audit, 'agent-refused', { deviceId }, data);
    }
  }

  agentConnected(deviceId: string, peer: Peer): void {
    this.ctx.clockSkew.connected(deviceId);
    const previous = this.ctx.directory.attachAgent(deviceId, peer);
    if (previous && previous !== peer) previous.close(CLOSE.replaced, 'replaced by a newer connection');
  }

  async agentDisconnected(deviceId: string, peer: Peer): Promise<void> {
    if (!this.ctx.directory.detachAgent(deviceId, peer)) return;
    await this.ends.agentLost(deviceId);
  }

  technicianDisconnected(peer: Peer): Promise<void> {
    this.agentFrames.resolutions.technicianLost(peer);
    this.schedules.technicianLost(peer);
    return this.ends.technicianLost(peer);
  }

  /** Relay shutdown: every live session is audited as ended, then both sides hear it; pending requests fail. */
  shutdown(): Promise<void> {
    return this.ends.shutdown();
  }

  /** IT withdrew the technician's access: pending requests cancelled, live sessions ended (`policy`), audited first. */
  technicianWithdrawn(peer: Peer, reason: string): Promise<void> {
    return this.ends.technicianWithdrawn(peer, reason);
  }

  fromTechnician(peer: Peer, tech: SignedInTechnician, msg: Message): Promise<void> {
    return this.technicianFrames.handle(peer, tech, msg);
  }

  fromAgent(peer: Peer, deviceId: string, msg: Message): Promise<void> {
    // Several instances: a frame answering another instance's request or session is handled there.
    if (this.ctx.directory.forwardFromAgent?.(deviceId, msg)) return Promise.resolve();
    return this.agentFrames.handle(peer, deviceId, msg);
  }

  /** A binary data-channel frame; false when refused. */
  binaryFromAgent(peer: Peer, deviceId: string, frame: Uint8Array): boolean {
    if (this.ctx.directory.forwardBinaryFromAgent?.(deviceId, frame)) return true;
    return this.channels.binary('agent', peer, deviceId, frame);
  }

  binaryFromTechnician(peer: Peer, frame: Uint8Array): boolean {
    return this.channels.binary('technician', peer, undefined, frame);
  }
}
