// `porchlight relay technicians ...`: list and show accounts (never a token hash
// or TOTP secret), and the subcommands that change them (relay-technician-change.ts,
// relay-technician-mfa.ts). Every change goes to the admin trail.
import { parseArgs } from '../parse-args.js';
import { slug } from '../../protocol/primitives.js';
import { accountState } from '../../relay/accounts/account-state.js';
import { technicianView } from '../../relay/accounts/admin-trail.js';
import type { RelayStorage, TechnicianRecord } from '../../relay/storage/storage.js';
import { CliError } from '../cli-error.js';
import { UsageError, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { openRelayDataDir } from '../relay-data-dir.js';
import { changeTechnician, CHANGE_SUBCOMMANDS } from './relay-technician-change.js';
import { technicianMfa } from './relay-technician-mfa.js';

export const TECHNICIANS_HELP = `  porchlight relay technicians list [--json]
  porchlight relay technicians show ID [--json]
  porchlight relay technicians disable|enable|remove ID
  porchlight relay technicians set ID [--group G] [--scopes S,..] [--unattended|--no-unattended] [--display N]
  porchlight relay technicians rotate-token ID [--grace MIN] [--token-days N]
  porchlight relay technicians mfa enroll|reset ID
    (each also takes --data DIR, --storage postgres://..., and --as NAME for the admin trail)`;

const STORE_OPTIONS = { data: { type: 'string' }, storage: { type: 'string' } } as const;

/** An account as an admin reads it: state in words, dates, MFA on/off; nothing secret. */
export function technicianSummary(t: TechnicianRecord, nowMs: number) {
  const state = accountState(t, nowMs);
  return {
    id: t.id,
    ...technicianView(t),
    state: state.ok ? 'active' : state.reason,
    createdAt: t.createdAt,
    lastSignInAt: t.lastSignInAt ?? null,
    tokenExpiresAt: t.tokenExpiresAt ?? null,
    temporaryUntil: t.disableAt ?? null,
    mfaEnrolledAt: t.mfaEnrolledAt ?? null,
  };
}

export async function requireTechnician(storage: RelayStorage, id: string | undefined): Promise<TechnicianRecord> {
  if (!id || !slug.safeParse(id).success) throw new UsageError('name the technician: ID is 1-64 chars of a-z 0-9 _ . -');
  const tech = await storage.getTechnician(id);
  if (!tech) throw new CliError('unknown-technician', `no technician has the id ${id}`, EXIT.other);
  return tech;
}

function line(t: TechnicianRecord, nowMs: number): string {
  const s = technicianSummary(t, nowMs);
  const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '-');
  return [
    s.id.padEnd(16),
    s.group.padEnd(12),
    s.state.padEnd(9),
    `mfa ${s.mfa ? 'on ' : 'off'}`,
    `${s.unattended ? 'unattended' : 'attended  '}`,
    `scopes ${s.scopes.join(',')}`.padEnd(40),
    `last sign-in ${day(s.lastSignInAt)}`,
    `token expires ${day(s.tokenExpiresAt)}`,
    ...(s.temporaryUntil ? [`temporary until ${s.temporaryUntil}`] : []),
  ].join('  ');
}

async function list(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS }, strict: true });
  const data = openRelayDataDir(values.data, ctx.env, values.storage);
  try {
    const all = await data.storage.listTechnicians();
    const now = Date.now();
    if (values.json) ctx.stdout.write(`${JSON.stringify(all.map((t) => technicianSummary(t, now)), null, 2)}\n`);
    else if (all.length === 0) ctx.stderr.write('no technicians yet: porchlight relay add-technician --name ID --group GROUP\n');
    else for (const t of all) ctx.stdout.write(`${line(t, now)}\n`);
    return EXIT.ok;
  } finally {
    await data.storage.close();
  }
}

async function show(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, ...STORE_OPTIONS }, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('expected: porchlight relay technicians show ID');
  const data = openRelayDataDir(values.data, ctx.env, values.storage);
  try {
    const s = technicianSummary(await requireTechnician(data.storage, positionals[0]), Date.now());
    if (values.json) ctx.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    else for (const [k, v] of Object.entries(s)) ctx.stdout.write(`${k.padEnd(16)} ${Array.isArray(v) ? v.join(',') : String(v ?? '-')}\n`);
    return EXIT.ok;
  } finally {
    await data.storage.close();
  }
}

export async function technicians(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'list') return list(rest, ctx);
  if (sub === 'show') return show(rest, ctx);
  if (sub === 'mfa') return technicianMfa(rest, ctx);
  if (sub !== undefined && (CHANGE_SUBCOMMANDS as readonly string[]).includes(sub)) return changeTechnician(sub as (typeof CHANGE_SUBCOMMANDS)[number], rest, ctx);
  throw new UsageError(`relay technicians needs a subcommand: list, show, ${CHANGE_SUBCOMMANDS.join(', ')}, mfa`);
}
