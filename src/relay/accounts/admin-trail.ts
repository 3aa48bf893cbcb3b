// The admin trail (seed 003: log every change to who may connect): each admin
// command writes one `admin` record to the central audit chain, with who ran it
// and the account before and after, never its token hash or TOTP secret.
import type { AdminAction, TechnicianView } from '../audit/audit-record.js';
import { CentralAudit } from '../audit/central-audit.js';
import type { RelayStorage, TechnicianRecord } from '../storage/storage.js';

export interface AdminActor {
  /** The OS user who ran the command. */
  by: string;
  /** `--as NAME`: the person, where a service account runs the command. */
  as?: string;
}

export function technicianView(t: TechnicianRecord): TechnicianView {
  return {
    name: t.name,
    group: t.group,
    ...(t.org !== undefined ? { org: t.org } : {}),
    scopes: t.scopes,
    unattended: t.unattended,
    disabled: t.disabled,
    mfa: t.mfaSecret !== undefined,
    ...(t.tokenExpiresAt !== undefined ? { tokenExpiresAt: t.tokenExpiresAt } : {}),
    ...(t.disableAt !== undefined ? { disableAt: t.disableAt } : {}),
  };
}

export interface AdminChange {
  action: AdminAction;
  target: string;
  before?: TechnicianRecord | null;
  after?: TechnicianRecord | null;
  detail?: string;
  /** The record's technician (default: the target); null for a device action. */
  technicianId?: string | null;
  deviceId?: string;
}

export async function recordAdmin(storage: RelayStorage, actor: AdminActor, change: AdminChange, nowMs = Date.now()): Promise<void> {
  const { action, target, before, after, detail } = change;
  await new CentralAudit(storage, () => nowMs).record(
    'admin',
    { technicianId: change.technicianId === undefined ? target : change.technicianId, deviceId: change.deviceId ?? null },
    {
      action,
      by: actor.by,
      ...(actor.as !== undefined ? { as: actor.as } : {}),
      target,
      ...(before ? { before: technicianView(before) } : {}),
      ...(after ? { after: technicianView(after) } : {}),
      ...(detail !== undefined ? { detail } : {}),
    },
  );
}
