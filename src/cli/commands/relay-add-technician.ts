// `porchlight relay add-technician`: a technician account whose API token is
// shown once (only its hash is kept), expires (default 90 days), and, with
// --temporary --hours N, disables itself at the end. Written to the admin trail.
import { parseArgs } from '../parse-args.js';
import { lineText, MAX_NAME_LENGTH, slug } from '../../protocol/primitives.js';
import { SCOPES, type Scope } from '../../protocol/scopes.js';
import { recordAdmin } from '../../relay/accounts/admin-trail.js';
import { hashSecretToken, newSecretToken } from '../../relay/secret-token.js';
import type { TechnicianRecord } from '../../relay/storage/storage.js';
import { adminActor, AS_OPTION } from '../admin-actor.js';
import { CliError } from '../cli-error.js';
import { UsageError, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { openRelayDataDir } from '../relay-data-dir.js';

/** The longest a token may live (seed 003: time-bound tokens); rotate-token issues the next one. */
export const MAX_TOKEN_DAYS = 365;
export const DEFAULT_TOKEN_DAYS = 90;
const DAY_MS = 24 * 3_600_000;

export function parseScopes(value: string): Scope[] {
  const scopes = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (bad.length > 0 || scopes.length === 0) throw new UsageError(`--scopes must be a comma list of ${SCOPES.join(', ')}`);
  return [...new Set(scopes)] as Scope[];
}

export function parseWholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number ${min}..${max}`);
  return n;
}

export function parseGroup(value: string | undefined, flag = 'group'): string {
  if (!value || !slug.safeParse(value).success) throw new UsageError(`--${flag} must be 1-64 chars of a-z 0-9 _ . -`);
  return value;
}

export async function addTechnician(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      group: { type: 'string' },
      display: { type: 'string' },
      org: { type: 'string' },
      scopes: { type: 'string', default: 'view,control' },
      unattended: { type: 'boolean', default: false },
      'token-days': { type: 'string', default: String(DEFAULT_TOKEN_DAYS) },
      temporary: { type: 'boolean', default: false },
      hours: { type: 'string' },
      data: { type: 'string' },
      storage: { type: 'string' },
      ...AS_OPTION,
    },
    strict: true,
  });
  const actor = adminActor(ctx.env, values.as);
  if (!values.name || !slug.safeParse(values.name).success) throw new UsageError('--name must be 1-64 chars of a-z 0-9 _ . -');
  const group = parseGroup(values.group);
  const display = values.display ?? values.name;
  if (!lineText(MAX_NAME_LENGTH).safeParse(display).success) throw new UsageError(`--display must be one line of at most ${MAX_NAME_LENGTH} characters`);
  if (values.org !== undefined && !lineText(MAX_NAME_LENGTH).safeParse(values.org).success) throw new UsageError(`--org must be one line of at most ${MAX_NAME_LENGTH} characters`);
  const scopes = parseScopes(values.scopes);
  const tokenDays = parseWholeNumber('token-days', values['token-days'], 1, MAX_TOKEN_DAYS);
  if (values.temporary !== (values.hours !== undefined)) throw new UsageError('--temporary and --hours N go together');
  const hours = values.hours === undefined ? undefined : parseWholeNumber('hours', values.hours, 1, 24 * 90);
  const now = Date.now();
  const data = openRelayDataDir(values.data, ctx.env, values.storage);
  try {
    if (await data.storage.getTechnician(values.name)) {
      throw new CliError('technician-exists', `technician ${values.name} already exists`, EXIT.other);
    }
    const token = newSecretToken();
    const tech: TechnicianRecord = {
      id: values.name,
      name: display,
      group,
      ...(values.org ? { org: values.org } : {}),
      scopes,
      unattended: values.unattended,
      tokenHash: hashSecretToken(token),
      createdAt: new Date(now).toISOString(),
      disabled: false,
      tokenExpiresAt: new Date(now + tokenDays * DAY_MS).toISOString(),
      ...(hours !== undefined ? { disableAt: new Date(now + hours * 3_600_000).toISOString() } : {}),
    };
    await data.storage.addTechnician(tech);
    await recordAdmin(data.storage, actor, { action: 'technician-added', target: tech.id, after: tech }, now);
    const ends = tech.disableAt ? `temporary: disables itself at ${tech.disableAt}` : `token expires ${tech.tokenExpiresAt}`;
    ctx.stdout.write(
      `technician ${values.name} (${display}) added to group ${group}: scopes ${scopes.join(',')}${values.unattended ? ', unattended allowed' : ''}; ${ends}\n` +
        `API token (shown once, keep it secret):\n${token}\n`,
    );
    return EXIT.ok;
  } finally {
    await data.storage.close();
  }
}
