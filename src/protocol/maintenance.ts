// What an unattended session is for (seed 003: "maintenance task IDs and targets
// covered"): the task in IT's own system and what it covered, kept in both audits,
// the evidence bundle and the monthly report. Only unattended requests carry it.
import { z } from 'zod';
import { lineText } from './primitives.js';

export const MAX_MAINTENANCE_TARGETS = 50;

export const maintenanceSchema = z.strictObject({
  /** e.g. CHG0004711 or PATCH-2026-11. */
  taskId: lineText(100),
  /** What the task covered: hosts, services, packages. */
  targets: z.array(lineText(200)).min(1).max(MAX_MAINTENANCE_TARGETS).optional(),
});
export type Maintenance = z.infer<typeof maintenanceSchema>;
