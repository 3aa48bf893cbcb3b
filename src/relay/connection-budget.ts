// How many sockets the relay may hold, from its open-files limit, and how many
// of them agents may take, so support never locks itself out.
//
// At the descriptor limit libuv accepts and closes new connections itself
// (its EMFILE trick) and Node never hears of it: every new peer is reset and
// nothing is logged. So the relay stays below the limit on purpose: sockets
// are capped at the soft limit minus what the process needs for its own files
// (database, WAL, logs), and over the cap a new connection is dropped by Node
// (`maxConnections`) and counted in a log line once a minute. Within that,
// agents (known at the WebSocket upgrade by their subprotocol) may hold all
// but a technician reserve: a relay full of agents still lets technicians
// sign in and request. One port serves both (one certificate, one firewall
// rule, the console on the same origin); the reserve does what a second
// listener would, without a second address for every technician to know.
import { ThrottledLog } from './throttled-log.js';

export interface BudgetLimits {
  /** The soft RLIMIT_NOFILE in force (Infinity: no budget). */
  openFiles: number;
  /** Descriptors kept for the process's own files. */
  processReserve: number;
  /** Sockets agents may never take (default: min(256, a quarter of the socket budget)). */
  technicianReserve?: number;
}

export const BUDGET_DEFAULTS = {
  processReserve: 64,
  technicianReserve: 256,
  logIntervalMs: 60_000,
} as const;

export class ConnectionBudget {
  /** Every socket the relay accepts (agents, technicians, console, not yet authenticated). */
  readonly maxSockets: number;
  readonly maxAgents: number;
  readonly technicianReserve: number;
  private agents = 0;
  private readonly dropped: ThrottledLog;
  private readonly refusedAgents: ThrottledLog;

  constructor(
    private readonly limits: BudgetLimits,
    log: (line: string) => void,
    now: () => number,
  ) {
    const sockets = limits.openFiles - limits.processReserve;
    this.maxSockets = Number.isFinite(sockets) ? Math.max(2, sockets) : Number.POSITIVE_INFINITY;
    const reserve = limits.technicianReserve ?? Math.min(BUDGET_DEFAULTS.technicianReserve, Math.floor(this.maxSockets / 4));
    this.technicianReserve = Math.max(1, Math.min(reserve, this.maxSockets - 1));
    this.maxAgents = this.maxSockets - this.technicianReserve;
    const limitText = `open-files limit ${limits.openFiles}; raise LimitNOFILE`;
    this.dropped = new ThrottledLog(BUDGET_DEFAULTS.logIntervalMs, now, (n) =>
      log(`relay: out of file descriptors (EMFILE avoided): dropped ${n} new connection(s) at the cap of ${this.maxSockets} sockets (${limitText})`),
    );
    this.refusedAgents = new ThrottledLog(BUDGET_DEFAULTS.logIntervalMs, now, (n) =>
      log(`relay: refused ${n} agent connection(s) with busy (1013): ${this.agents} agents hold the quota of ${this.maxAgents}, ${this.technicianReserve} sockets are kept for technicians (${limitText})`),
    );
  }

  get agentCount(): number {
    return this.agents;
  }

  /** An agent upgraded: true if it fits the quota (then it counts until `agentClosed`). */
  admitAgent(): boolean {
    if (this.agents >= this.maxAgents) {
      this.refusedAgents.note();
      return false;
    }
    this.agents += 1;
    return true;
  }

  agentClosed(): void {
    this.agents = Math.max(0, this.agents - 1);
  }

  /** Node dropped a connection over `maxSockets`, or accept itself failed with EMFILE/ENFILE. */
  connectionDropped(): void {
    this.dropped.note();
  }

  describe(): string {
    if (!Number.isFinite(this.maxSockets)) return 'no open-files limit known: sockets are not budgeted';
    return `at most ${this.maxSockets} sockets (${this.limits.processReserve} descriptors kept for the process), agents at most ${this.maxAgents} (${this.technicianReserve} kept for technicians)`;
  }
}
