// `request --unattended ... --task-id ID [--targets a,b,c]`: the maintenance task
// an unattended session is for, and what it covered (seed 003).
import type { Maintenance } from '../protocol/maintenance.js';
import { UsageError } from './command.js';

export const MAINTENANCE_OPTIONS = {
  'task-id': { type: 'string' },
  targets: { type: 'string' },
} as const;

export const MAINTENANCE_HELP = `  --task-id        unattended: the maintenance task in your own system (e.g. CHG0004711),
                   kept in both audits, the evidence bundle and the monthly report
  --targets        unattended: what the task covered, separated by commas (hosts, services, packages)`;

/** The request's maintenance field, or undefined without --task-id. */
export function parseMaintenanceFlags(values: Record<string, string | boolean | undefined>): Maintenance | undefined {
  const taskId = values['task-id'];
  const targets = values.targets;
  if (taskId === undefined) {
    if (targets !== undefined) throw new UsageError('--targets goes with --task-id');
    return undefined;
  }
  if (typeof taskId !== 'string') throw new UsageError('--task-id needs a value');
  if (values.unattended !== true && values.emergency === undefined) throw new UsageError('--task-id goes with --unattended or --emergency');
  const list = typeof targets === 'string' ? targets.split(',').map((t) => t.trim()).filter((t) => t !== '') : undefined;
  if (targets !== undefined && (list === undefined || list.length === 0)) throw new UsageError('--targets needs at least one target');
  return { taskId, ...(list ? { targets: list } : {}) };
}
