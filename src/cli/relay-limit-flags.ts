// `porchlight relay` flags for the connection limits (docs/relay.md "Limits and faults").
import { BUDGET_DEFAULTS } from '../relay/connection-budget.js';
import { CONNECTION_LIMITS } from '../relay/relay-constants.js';
import { UsageError } from './command.js';

export const RELAY_LIMIT_OPTIONS = {
  'hello-timeout-ms': { type: 'string' },
  'max-unauthenticated-per-address': { type: 'string' },
  'technician-reserve': { type: 'string' },
} as const;

export const RELAY_LIMIT_HELP = `  --hello-timeout-ms  from connect to an accepted hello (250..120000, default ${CONNECTION_LIMITS.helloTimeoutMs});
                    a silent peer gets close 4001 and its socket is destroyed ${CONNECTION_LIMITS.closeTimeoutMs} ms later
  --max-unauthenticated-per-address
                    connections from one address that have not said hello yet (1..100000,
                    default ${CONNECTION_LIMITS.maxUnauthenticatedPerAddress}); past it new ones are dropped at once
  --technician-reserve
                    sockets agents may never take, so technicians get in while agents hold the
                    rest of the open-files budget (1..1000000, default min(${BUDGET_DEFAULTS.technicianReserve}, a quarter of it))`;

export interface RelayLimitFlags {
  helloTimeoutMs?: number;
  maxUnauthenticatedPerAddress?: number;
  technicianReserve?: number;
}

function bounded(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number ${min}..${max}`);
  return n;
}

export function parseRelayLimitFlags(values: { 'hello-timeout-ms'?: string; 'max-unauthenticated-per-address'?: string; 'technician-reserve'?: string }): RelayLimitFlags {
  const helloTimeoutMs = bounded('hello-timeout-ms', values['hello-timeout-ms'], 250, 120_000);
  const maxPerAddress = bounded('max-unauthenticated-per-address', values['max-unauthenticated-per-address'], 1, 100_000);
  const technicianReserve = bounded('technician-reserve', values['technician-reserve'], 1, 1_000_000);
  return {
    ...(technicianReserve !== undefined ? { technicianReserve } : {}),
    ...(helloTimeoutMs !== undefined ? { helloTimeoutMs } : {}),
    ...(maxPerAddress !== undefined ? { maxUnauthenticatedPerAddress: maxPerAddress } : {}),
  };
}
