// `relay technicians disable|enable|remove|set|rotate-token ID`: each change is
// written to the admin trail with the account before and after; a running relay
// picks it up within a second and withdraws access that is no longer allowed.
import { parseArgs } from '../parse-args.js';
import { lineText, MAX_NAME_LENGTH } from '../../protocol/primitives.js';
import { recordAdmin } from '../../relay/accounts/admin-trail.js';
import type { AdminAction } from '../../relay/audit/audit-record.js';
import { hashSecretToken, newSecretToken } from '../../relay/secret-token.js';
import type { TechnicianChange, TechnicianRecord } from '../../relay/storage/storage.js';
import { adminActor, AS_OPTION } from '../admin-actor.js';
import { UsageError, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { openRelayDataDir } from '../relay-data-dir.js';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, parseGroup, parseScopes, parseWholeNumber } from './relay-add-technician.js';
import { requireTechnician } from './relay-technicians.js';

export const CHANGE_SUBCOMMANDS = ['disable', 'enable', 'remove', 'set', 'rotate-token'] as const;
type ChangeSubcommand = (typeof CHANGE_SUBCOMMANDS)[number];

const OPTIONS = {
  data: { type: 'string' },
  storage: { type: 'string' },
  ...AS_OPTION,
  group: { type: 'string' },
  scopes: { type: 'string' },
  display: { type: 'string' },
  unattended: { type: 'boolean' },
  'no-unattended': { type: 'boolean' },
  grace: { type: 'string' },
  'token-days': { type: 'string' },
} as const;

/** Which flags each subcommand takes (the rest are refused, so a typo never passes silently). */
const FLAGS: Record<ChangeSubcommand, readonly string[]> = {
  disable: [],
  enable: [],
  remove: [],
  set: ['group', 'scopes', 'display', 'unattended', 'no-unattended'],
  'rotate-token': ['grace', 'token-days'],
};

const DAY_MS = 24 * 3_600_000;

export async function changeTechnician(sub: ChangeSubcommand, argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(`expected: porchlight relay technicians ${sub} ID`);
  const stray = Object.keys(values).filter((k) => !['data', 'storage', 'as', ...FLAGS[sub]].includes(k));
  if (stray.length > 0) throw new UsageError(`${sub} does not take --${stray.join(', --')}`);
  const actor = adminActor(ctx.env, values.as);
  const now = Date.now();
  const data = openRelayDataDir(values.data, ctx.env, values.storage);
  try {
    const before = await requireTechnician(data.storage, positionals[0]);
    const id = before.id;
    const audit = (action: AdminAction, after: TechnicianRecord | null, detail?: string) =>
      recordAdmin(data.storage, actor, { action, target: id, before, after, ...(detail ? { detail } : {}) }, now);
    if (sub === 'remove') {
      await data.storage.removeTechnician(id);
      await audit('technician-removed', null);
      ctx.stdout.write(`technician ${id} removed; live sessions and pending requests end within a second\n`);
      return EXIT.ok;
    }
    const { change, action, detail, token } = planChange(sub, values, now, before);
    await data.storage.updateTechnician(id, change);
    const after = await requireTechnician(data.storage, id);
    await audit(action, after, detail);
    ctx.stdout.write(`${describe(sub, id, after, detail)}\n`);
    if (token) ctx.stdout.write(`new API token (shown once, keep it secret):\n${token}\n`);
    return EXIT.ok;
  } finally {
    await data.storage.close();
  }
}

interface Plan {
  change: TechnicianChange;
  action: AdminAction;
  detail?: string;
  token?: string;
}

function planChange(sub: Exclude<ChangeSubcommand, 'remove'>, v: Record<string, string | boolean | undefined>, now: number, before: TechnicianRecord): Plan {
  switch (sub) {
    case 'disable':
      return { change: { disabled: true }, action: 'technician-disabled' };
    case 'enable':
      // Enabling lifts an admin's disable and a temporary account's end alike.
      return { change: { disabled: false, disableAt: null }, action: 'technician-enabled' };
    case 'set':
      return { change: setChange(v), action: 'technician-changed' };
    case 'rotate-token': {
      const grace = v.grace === undefined ? 0 : parseWholeNumber('grace', String(v.grace), 0, 7 * 24 * 60);
      const days = parseWholeNumber('token-days', String(v['token-days'] ?? DEFAULT_TOKEN_DAYS), 1, MAX_TOKEN_DAYS);
      const token = newSecretToken();
      return {
        token,
        action: 'token-rotated',
        detail: grace > 0 ? `old token accepted for ${grace} more minute(s)` : 'old token stopped working at once',
        change: {
          tokenHash: hashSecretToken(token),
          tokenExpiresAt: new Date(now + days * DAY_MS).toISOString(),
          // Without grace the old hash is dropped: nothing can match it any more.
          previousTokenHash: grace > 0 ? before.tokenHash : null,
          previousTokenUntil: grace > 0 ? new Date(now + grace * 60_000).toISOString() : null,
        },
      };
    }
  }
}

function setChange(v: Record<string, string | boolean | undefined>): TechnicianChange {
  if (v.unattended === true && v['no-unattended'] === true) throw new UsageError('--unattended and --no-unattended exclude each other');
  const change: TechnicianChange = {};
  if (v.group !== undefined) change.group = parseGroup(String(v.group));
  if (v.scopes !== undefined) change.scopes = parseScopes(String(v.scopes));
  if (v.display !== undefined) {
    if (!lineText(MAX_NAME_LENGTH).safeParse(v.display).success) throw new UsageError(`--display must be one line of at most ${MAX_NAME_LENGTH} characters`);
    change.name = String(v.display);
  }
  if (v.unattended === true) change.unattended = true;
  if (v['no-unattended'] === true) change.unattended = false;
  if (Object.keys(change).length === 0) throw new UsageError('set needs at least one of --group, --scopes, --display, --unattended, --no-unattended');
  return change;
}

function describe(sub: ChangeSubcommand, id: string, after: TechnicianRecord, detail: string | undefined): string {
  switch (sub) {
    case 'disable':
      return `technician ${id} disabled; live sessions and pending requests end within a second`;
    case 'enable':
      return `technician ${id} enabled`;
    case 'set':
      return `technician ${id}: group ${after.group}, scopes ${after.scopes.join(',')}, ${after.unattended ? 'unattended allowed' : 'attended only'}`;
    default:
      return `technician ${id}: token rotated (${detail ?? ''}); the new token expires ${after.tokenExpiresAt ?? 'never'}`;
  }
}
