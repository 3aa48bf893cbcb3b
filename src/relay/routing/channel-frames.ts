// Data channels through the relay (defence in depth: the agent checks too).
// A channel opens only for a live session whose current grants include its
// scope (`view` for screen, `file-transfer` for file); binary frames pass only
// for that session's open channel, from its own technician or device, within
// each direction's credit window; losing the scope or the session closes it.
// Opens and closes are audited first.
import { CreditWindow, parseChannelFrame } from '../../protocol/channel-frame.js';
import type { ErrorCode } from '../../protocol/error-codes.js';
import { errorMessage, newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import type { Peer } from '../peer.js';
import { sessionContext, type ChannelKind, type RelayChannel, type RoutedSession } from './routed.js';
import { recordQuietly, toAgent, type RoutingContext } from './routing-context.js';

type Side = 'agent' | 'technician';

const SCOPE_OF: Record<ChannelKind, Scope> = { screen: 'view', file: 'file-transfer' };

export class ChannelFrames {
  constructor(private readonly ctx: RoutingContext) {}

  /** Technician: open a channel. */
  async open(peer: Peer, msg: Message<'channel.open'>): Promise<void> {
    const s = this.ctx.table.session(msg.sessionId);
    if (!s || s.peer !== peer)
      return peer.send(errorMessage('unknown-session', 'no live session of yours has that id', msg.id));
    const refusal = this.refusal(s, msg.kind);
    if (refusal) {
      await this.ctx.audit.record('rejected', sessionContext(s), {
        action: 'channel.open',
        code: refusal.code,
        detail: refusal.detail,
      });
      return peer.send(closeMessage(s.sessionId, msg.channel, refusal.code, refusal.detail));
    }
    const clash = byNumber(s, msg.channel);
    if (clash && clash.kind !== msg.kind)
      return peer.send(closeMessage(s.sessionId, msg.channel, 'forbidden', 'that channel number is in use'));
    const old = s.channels?.get(msg.kind);
    if (old) await this.closeByRelay(s, old, 'replaced by a new channel');
    s.channels ??= new Map();
    const windows = { toAgent: new CreditWindow(), toTechnician: new CreditWindow() };
    const transfer = msg.transferId !== undefined ? { transferId: msg.transferId } : {};
    s.channels.set(msg.kind, { kind: msg.kind, channel: msg.channel, open: false, ...transfer, ...windows });
    toAgent(this.ctx, s, msg);
  }

  /** Agent: its side of the channel is open. */
  async opened(deviceId: string, peer: Peer, msg: Message<'channel.opened'>): Promise<void> {
    const s = this.ctx.table.session(msg.sessionId);
    const ch = s && s.deviceId === deviceId ? byNumber(s, msg.channel) : undefined;
    if (!s || !ch || ch.open || this.refusal(s, ch.kind)) {
      return peer.send(
        closeMessage(msg.sessionId, msg.channel, 'unknown-session', 'no channel is being opened with that number'),
      );
    }
    const transfer = ch.transferId !== undefined ? { transferId: ch.transferId } : {};
    await this.ctx.audit.record('channel-open', sessionContext(s), {
      channel: msg.channel,
      kind: ch.kind,
      ...transfer,
    });
    if (byNumber(s, msg.channel) !== ch) return;
    ch.open = true;
    s.peer.send(msg);
  }

  /** Either side closed (or the agent refused, or finished) the channel: tell the other side. */
  async closed(side: Side, s: RoutedSession, msg: Message<'channel.close'>): Promise<void> {
    const ch = byNumber(s, msg.channel);
    if (!ch) return;
    s.channels?.delete(ch.kind);
    const detail = msg.detail ? { detail: msg.detail } : {};
    const data = { channel: msg.channel, by: side, ...(msg.code ? { code: msg.code } : {}), ...detail };
    await recordQuietly(this.ctx.audit, 'channel-close', sessionContext(s), data);
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
    const ch = byNumber(s, f.channel);
    const refusal = this.refusal(s, ch?.kind ?? 'screen');
    if (refusal || !ch || !ch.open) {
      const { code, detail } = refusal ?? {
        code: 'forbidden' as const,
        detail: 'no open channel with that number in this session',
      };
      from.send(closeMessage(s.sessionId, f.channel, code, detail));
      return false;
    }
    const [outgoing, incoming] = side === 'technician' ? [ch.toAgent, ch.toTechnician] : [ch.toTechnician, ch.toAgent];
    const within = f.kind === 'data' ? outgoing.charge(f.payload.byteLength) : incoming.release(f.bytes);
    if (!within) {
      const detail =
        f.kind === 'data'
          ? `the ${side} sent past its credit window`
          : `the ${side} acknowledged more than it was sent`;
      void this.closeByRelay(s, ch, detail, 'channel-violation');
      return false;
    }
    if (side === 'technician') this.ctx.directory.agent(s.deviceId)?.sendBinary(bytes);
    else s.peer.sendBinary(bytes);
    return true;
  }

  /** The session's grants changed: a channel whose scope went closes. */
  async grantsChanged(s: RoutedSession): Promise<void> {
    for (const ch of [...(s.channels?.values() ?? [])]) {
      if (this.refusal(s, ch.kind)) await this.closeByRelay(s, ch, `${SCOPE_OF[ch.kind]} is no longer granted`);
    }
  }

  /** The session ended (any way): its channels close. */
  sessionEnded(s: RoutedSession): void {
    for (const ch of [...(s.channels?.values() ?? [])]) void this.closeByRelay(s, ch, 'the session ended');
  }

  /** Why this session may not carry a channel of this kind now, if it may not. */
  private refusal(s: RoutedSession, kind: ChannelKind): { code: ErrorCode; detail: string } | undefined {
    if (s.ended) return { code: 'unknown-session', detail: `session ${s.sessionId} has ended` };
    if (this.ctx.clock.isPastEnd(s))
      return { code: 'expired', detail: `session ${s.sessionId}'s granted time is over` };
    if (!s.granted?.has(SCOPE_OF[kind]))
      return { code: 'forbidden', detail: `${SCOPE_OF[kind]} is not granted in this session` };
    return undefined;
  }

  private async closeByRelay(s: RoutedSession, ch: RelayChannel, detail: string, code?: ErrorCode): Promise<void> {
    if (s.channels?.get(ch.kind) !== ch) return;
    s.channels.delete(ch.kind);
    const data = { channel: ch.channel, by: 'relay' as const, ...(code ? { code } : {}), detail };
    await recordQuietly(this.ctx.audit, 'channel-close', sessionContext(s), data);
    const msg = closeMessage(s.sessionId, ch.channel, code, detail);
    s.peer.send(msg);
    this.ctx.directory.agent(s.deviceId)?.send(msg);
  }
}

function byNumber(s: RoutedSession, channel: number): RelayChannel | undefined {
  for (const ch of s.channels?.values() ?? []) if (ch.channel === channel) return ch;
  return undefined;
}

function closeMessage(
  sessionId: string,
  channel: number,
  code: ErrorCode | undefined,
  detail: string,
): Message<'channel.close'> {
  return { v: 1, type: 'channel.close', id: newMessageId(), sessionId, channel, ...(code ? { code } : {}), detail };
}
