// Connections that have not said an accepted hello yet, counted per source
// address from TCP accept: past the cap a new one is destroyed at once, and
// each is destroyed at its deadline (half-open, slowloris, upgraded-but-silent,
// a peer that ignores the close frame) unless it authenticated first.
import type { Socket } from 'node:net';
import { CONNECTION_LIMITS } from './relay-constants.js';

export interface UnauthenticatedLimits {
  maxPerAddress: number;
  /** From accept until the socket is destroyed if it has not authenticated. */
  deadlineMs: number;
}

interface Held {
  address: string;
  timer: NodeJS.Timeout;
}

export class UnauthenticatedGate {
  /** Bounded by the open sockets: an address leaves the map when its count drops to zero. */
  private readonly perAddress = new Map<string, number>();
  private readonly held = new Map<string, Held>();
  private refusedSinceLog = 0;
  private lastLogAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limits: UnauthenticatedLimits,
    private readonly log: (line: string) => void,
    private readonly now: () => number,
  ) {}

  /** A new TCP connection: false (and destroyed) when its address already holds the cap. */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress ?? 'unknown';
    const count = this.perAddress.get(address) ?? 0;
    if (count >= this.limits.maxPerAddress) {
      this.noteRefusal(address);
      socket.destroy();
      return false;
    }
    const key = keyOf(socket);
    this.perAddress.set(address, count + 1);
    const timer = setTimeout(() => socket.destroy(), this.limits.deadlineMs);
    timer.unref();
    this.held.set(key, { address, timer });
    socket.once('close', () => this.release(key));
    return true;
  }

  /** The connection said an accepted hello: it no longer counts and has no deadline. */
  authenticated(socket: Socket): void {
    this.release(keyOf(socket));
  }

  private release(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
    clearTimeout(held.timer);
    const left = (this.perAddress.get(held.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(held.address, left);
    else this.perAddress.delete(held.address);
  }

  private noteRefusal(address: string): void {
    this.refusedSinceLog += 1;
    const now = this.now();
    if (now - this.lastLogAt < CONNECTION_LIMITS.refusalLogIntervalMs) return;
    const cap = this.limits.maxPerAddress;
    this.log(`relay: refused ${this.refusedSinceLog} connection(s) over the cap of ${cap} unauthenticated per address (latest from ${address})`);
    this.refusedSinceLog = 0;
    this.lastLogAt = now;
  }
}

/** The raw TCP socket and the TLS socket over it share the remote address and port: one key for both. */
function keyOf(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`;
}
