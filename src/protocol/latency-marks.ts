// Timestamps along the paths a user feels (request -> consent on screen, answer -> technician), for the
// benchmarks' per-stage breakdown. Published on a diagnostics channel: with nobody subscribed (the product,
// the tests) a mark costs one boolean check and keeps nothing.
import { channel } from 'node:diagnostics_channel';

export const LATENCY_CHANNEL = 'porchlight:latency';

/** One stage reached for one request (`key` is its requestId), on the performance.now() clock. */
export interface LatencyMark {
  stage: string;
  key: string;
  at: number;
}

const marks = channel(LATENCY_CHANNEL);

export function latencyMark(stage: string, key: string): void {
  if (marks.hasSubscribers) marks.publish({ stage, key, at: performance.now() } satisfies LatencyMark);
}
