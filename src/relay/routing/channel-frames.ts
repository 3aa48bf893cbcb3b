// Screen channels through the relay (defence in depth: the agent filters too).
// A channel opens only for a live session whose current grants include
// `view`; binary frames pass only for that session's open channel, from its
// own technician or device, within each direction's credit window; losing
// `view` or the session closes it. Opens and closes are audited first.
import { CreditWindow, parseChannelFrame } from '../../protocol/channel-frame.js';
import type { ErrorCode } from '../../protocol/error-codes.js';
import { errorMessage, newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { Peer } from '../peer.js';
import { sessionContext, type RoutedSession } from './routed.js';
import { recordQuietly, toAgent, type RoutingContext } from './routing-context.js';

type Side = 'agent' | 'technician';

export class ChannelFrames {
  constructor(private readonly ctx: RoutingContext) {}

  /** Technician: open a screen channel. */
  async open(peer: Peer, msg: Message<'channel.open'>): Promise<void> {
    const s = this.ctx.table.session(msg.sessionId);
    if (!s || s.peer !== peer) return peer.send(errorMessage('unknown-session', 'no live session of yours has that id', msg.id));
    const refusal = this.refusal(s);
    if (refusal) {
      await this.ctx.audit.record('rejected', sessionContext(s), { action: 'channel.open', code: refusal.code, detail: refusal.detail });
      return peer.send(closeMessage(s.sessionId, msg.channel, refusal.code, refusal.detail));
    }
    if (s.screen) await this.closeByRelay(s, 'replaced by a new channel');
    s.screen = { channel: msg.channel, open: false, toAgent: new CreditWindow(), toTechnician: new CreditWindow() };
    toAgent(this.ctx, s, msg);
  }

  /** Agent: its side of the channel is open. */
  async opened(deviceId: string, peer: Peer, msg: Message<'channel.opened'>): Promise<void> {
    const s = this.ctx.table.session(msg.sessionId);
    if (!s || s.deviceId !== deviceId || s.screen?.channel !== msg.channel || s.screen.open || this.refusal(s)) {
      return peer.send(closeMessage(msg.sessionId, msg.channel, 'unknown-session', 'no channel is being opened with that number'));
    }
    await this.ctx.audit.record('channel-open', sessionContext(s), { channel: msg.channel, kind: 'screen' });
    if (s.screen?.channel !== msg.channel) return;
    s.screen.open = true;
    s.peer.send(msg);
  }

  /** Either side closed (or the agent refused) the channel: tell the other side. */
  async closed(side: Side, s: RoutedSession, msg: Message<'channel.close'>): Promise<void> {
    if (s.screen?.channel !== msg.channel) return;
    s.screen = undefined;
    const detail = msg.detail ? { detail: msg.detail } : {};
    await recordQuietly(this.ctx.audit, 'channel-close', sessionContext(s), { channel: msg.channel, by: side, ...(msg.code ? { code: msg.code } : {}), ...detail });
    if (side === 'agent') s.peer.send(msg);
    else toAgent(this.ctx, s, msg);
  }

  /** A binary frame; false when refused (the connection counts it against its rate limit). */
  binary(side: Side, from: Peer, deviceId: string | undefined, bytes: Uint8Array): boolean {
    const parsed = parseChannelFrame(bytes);
    if (!parsed.ok) {
      from.send(errorMessage('channel-violation', parsed.detail));
      return false;
    }
    const f = parsed.frame;
    const s = this.ctx.table.session(f.sessionId);
    const mine = s !== undefined && (side === 'technician' ? s.peer === from : s.deviceId === deviceId);
    if (!s || !mine) {
      from.send(errorMessage('unknown-session', `no live session of yours has id ${f.sessionId}`));
      return false;
    }
    const ch = s.screen;
    const refusal = this.refusal(s);
    if (refusal || !ch || !ch.open || ch.channel !== f.channel) {
      const { code, detail } = refusal ?? { code: 'forbidden' as const, detail: 'no open screen channel with that number in this session' };
      from.send(closeMessage(s.sessionId, f.channel, code, detail));
      return false;
    }
    const [outgoing, incoming] = side === 'technician' ? [ch.toAgent, ch.toTechnician] : [ch.toTechnician, ch.toAgent];
    const within = f.kind === 'data' ? outgoing.charge(f.payload.byteLength) : incoming.release(f.bytes);
    if (!within) {
      const detail = f.kind === 'data' ? `the ${side} sent past its credit window` : `the ${side} acknowledged more than it was sent`;
      void this.closeByRelay(s, detail, 'channel-violation');
      return false;
    }
    if (side === 'technician') this.ctx.directory.agent(s.deviceId)?.sendBinary(bytes);
    else s.peer.sendBinary(bytes);
    return true;
  }

  /** The session's grants changed: without `view` its channel closes. */
  async grantsChanged(s: RoutedSession): Promise<void> {
    if (s.screen && this.refusal(s)) await this.closeByRelay(s, 'view is no longer granted');
  }

  /** The session ended (any way): its channel closes. */
  sessionEnded(s: RoutedSession): void {
    if (s.screen) void this.closeByRelay(s, 'the session ended');
  }

  /** Why this session may not carry a screen channel now, if it may not. */
  private refusal(s: RoutedSession): { code: ErrorCode; detail: string } | undefined {
    if (s.ended) return { code: 'unknown-session', detail: `session ${s.sessionId} has ended` };
    if (this.ctx.clock.isPastEnd(s)) return { code: 'expired', detail: `session ${s.sessionId}'s granted time is over` };
    if (!s.granted?.has('view')) return { code: 'forbidden', detail: 'view is not granted in this session' };
    return undefined;
  }

  private async closeByRelay(s: RoutedSession, detail: string, code?: ErrorCode): Promise<void> {
    const ch = s.screen;
    if (!ch) return;
    s.screen = undefined;
    await recordQuietly(this.ctx.audit, 'channel-close', sessionContext(s), { channel: ch.channel, by: 'relay', ...(code ? { code } : {}), detail });
    const msg = closeMessage(s.sessionId, ch.channel, code, detail);
    s.peer.send(msg);
    this.ctx.directory.agent(s.deviceId)?.send(msg);
  }
}

function closeMessage(sessionId: string, channel: number, code: ErrorCode | undefined, detail: string): Message<'channel.close'> {
  return { v: 1, type: 'channel.close', id: newMessageId(), sessionId, channel, ...(code ? { code } : {}), detail };
}
