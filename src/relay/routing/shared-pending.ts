// Pending-request caps across relay instances. PendingCaps counts what this
// instance holds; behind a load balancer one technician's connections (and the
// requests to one device) spread over several instances, so each request also
// holds a slot in a count every instance shares (over the bus). A slot is given
// back when the request is decided, cancelled or expires, and lapses by itself
// at the request's expiry if the instance holding it dies.
import type { PendingLimits } from './pending-caps.js';

export interface PendingHold {
  technicianId: string;
  deviceId: string;
  /** Unique per request: what is given back. */
  holdId: string;
  /** Clock ms after which the slot lapses by itself. */
  expiresAt: number;
}

export interface SharedPendingCounts {
  /** Take one slot for both the technician and the device; which count is full when refused. */
  tryHold(hold: PendingHold, limits: PendingLimits, now: number): Promise<'technician' | 'device' | null>;
  release(hold: PendingHold): Promise<void>;
}
