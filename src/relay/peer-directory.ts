// Where each agent is connected, and a way to send it frames: the routing
// seam for running several relay instances (DESIGN.md "Growing past one
// machine"). One process: a map of local connections (below). Several
// instances: an implementation over the message bus (Redis pub/sub or NATS)
// keeps a presence cache (device -> instance) fed by the bus and returns a
// Peer whose send() publishes to the instance holding the device's socket;
// see docs/relay.md. Lookups are synchronous so the router never
// waits on the network to decide where a frame goes.
import type { Message } from '../protocol/messages.js';
import type { Peer } from './peer.js';
import type { SharedPendingCounts } from './routing/shared-pending.js';

/** What a directory spanning instances calls back into this instance's router. */
export interface DirectoryHooks {
  /** A frame from a device on another instance, answering a request or session owned here. */
  fromRemoteAgent(peer: Peer, deviceId: string, msg: Message): Promise<void>;
  /** A device on another instance went away (disconnected, replaced, or its instance died). */
  remoteAgentGone(deviceId: string, peer: Peer): Promise<void>;
  /** A data-channel frame from a device on another instance, for a session owned here; false when refused. */
  binaryFromRemoteAgent(peer: Peer, deviceId: string, frame: Uint8Array): boolean;
}

export interface PeerDirectory {
  /** Register a device's connection; returns the connection it replaces, if any. */
  attachAgent(deviceId: string, peer: Peer): Peer | undefined;
  /** Forget a device's connection; false when `peer` is no longer its connection (a newer one replaced it). */
  detachAgent(deviceId: string, peer: Peer): boolean;
  /** Something that delivers frames to the device wherever it is connected; undefined when it is offline. */
  agent(deviceId: string): Peer | undefined;
  /** Connected devices this directory knows of. */
  readonly agentCount: number;
  /** Spanning instances: true when this local device's frame was sent on to the instance that owns what it answers. */
  forwardFromAgent?(deviceId: string, msg: Message): boolean;
  /** The same for a binary data-channel frame (routed by the session id in its header). */
  forwardBinaryFromAgent?(deviceId: string, frame: Uint8Array): boolean;
  /** Spanning instances: the router's entry points for frames and departures from elsewhere. */
  bind?(hooks: DirectoryHooks): void;
  /** Spanning instances: pending-request counts every instance shares. */
  readonly sharedPending?: SharedPendingCounts;
}

export class InProcessPeerDirectory implements PeerDirectory {
  private readonly agents = new Map<string, Peer>();

  attachAgent(deviceId: string, peer: Peer): Peer | undefined {
    const previous = this.agents.get(deviceId);
    this.agents.set(deviceId, peer);
    return previous;
  }

  detachAgent(deviceId: string, peer: Peer): boolean {
    if (this.agents.get(deviceId) !== peer) return false;
    this.agents.delete(deviceId);
    return true;
  }

  agent(deviceId: string): Peer | undefined {
    return this.agents.get(deviceId);
  }

  get agentCount(): number {
    return this.agents.size;
  }

  deviceIds(): string[] {
    return [...this.agents.keys()];
  }
}
