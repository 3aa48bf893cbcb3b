// `porchlight approve`: sign an unattended-access approval token with the IT
// approvals private key (the relay never holds it, so it can't forge one).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from '../parse-args.js';
import { approvalPayloadSchema, approvalUses, MAX_APPROVAL_LIFETIME_MS, MAX_APPROVAL_USES, type ApprovalPayload } from '../../protocol/approval.js';
import { describeIssues } from '../../protocol/frame.js';
import { signApprovalToken } from '../../protocol/signed-messages.js';
import { keyFingerprint } from '../../protocol/signing.js';
import { readKeyPairFile } from '../../relay/relay-key.js';
import { UsageError, type Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

const HELP = `Usage: porchlight approve --key FILE --device ID --technician ID --scopes LIST
                          --ticket ID --reference REF --approver NAME --expires WHEN
                          [--uses N] [--out FILE]

Signs a manager approval for unattended access (seed 000: written, trackable approval).

  --key         approvals keypair file from 'porchlight keys generate --approvals'
  --device      the device the approval is for
  --technician  the technician id allowed to use it
  --scopes      comma list: view,control,admin,file-transfer
  --ticket      the ticket it belongs to
  --reference   trackable reference to the written approval (e-mail id, change number)
  --approver    who approved (the user's manager)
  --expires     minutes from now (e.g. 60) or an ISO 8601 UTC time; at most 7 days
  --uses        how many sessions it may start (default 1, at most ${MAX_APPROVAL_USES}); the relay
                counts them and the device refuses a use beyond N too
  --out         write the token JSON to FILE (default: stdout)
`;

export function parseExpiry(value: string, nowMs: number): string {
  if (/^\d{1,6}$/.test(value)) return new Date(nowMs + Number(value) * 60_000).toISOString();
  const t = Date.parse(value);
  if (!/Z$/.test(value) || Number.isNaN(t)) throw new UsageError('--expires must be minutes or an ISO 8601 UTC time ending in Z');
  return new Date(t).toISOString();
}

const command: Command = {
  name: 'approve',
  summary: 'sign an unattended-access approval token (IT approvals key)',
  help: HELP,
  async run(argv, ctx) {
    const { values } = parseArgs({
      args: argv,
      options: {
        key: { type: 'string' },
        device: { type: 'string' },
        technician: { type: 'string' },
        scopes: { type: 'string' },
        ticket: { type: 'string' },
        reference: { type: 'string' },
        approver: { type: 'string' },
        expires: { type: 'string' },
        uses: { type: 'string' },
        out: { type: 'string' },
      },
      strict: true,
    });
    for (const name of ['key', 'device', 'technician', 'scopes', 'ticket', 'reference', 'approver', 'expires'] as const) {
      if (!values[name]) throw new UsageError(`--${name} is required`);
    }
    const now = Date.now();
    const uses = values.uses === undefined ? 1 : Number(values.uses);
    if (!/^\d{1,3}$/.test(values.uses ?? '1') || uses < 1 || uses > MAX_APPROVAL_USES) {
      throw new UsageError(`--uses must be a whole number from 1 to ${MAX_APPROVAL_USES}`);
    }
    const candidate = {
      v: 1,
      kind: 'approval',
      deviceId: values.device,
      technicianId: values.technician,
      scopes: values.scopes!.split(',').map((s) => s.trim()),
      ticketId: values.ticket,
      reference: values.reference,
      approver: values.approver,
      issuedAt: new Date(now).toISOString(),
      expiresAt: parseExpiry(values.expires!, now),
      nonce: randomBytes(18).toString('base64url'),
      uses,
    };
    const parsed = approvalPayloadSchema.safeParse(candidate);
    if (!parsed.success) throw new UsageError(describeIssues('approval', parsed.error));
    const payload: ApprovalPayload = parsed.data;
    if (Date.parse(payload.expiresAt) <= now) throw new UsageError('--expires is in the past');
    if (Date.parse(payload.expiresAt) - now > MAX_APPROVAL_LIFETIME_MS) throw new UsageError(`--expires is more than ${MAX_APPROVAL_LIFETIME_MS / 60_000} minutes (${MAX_APPROVAL_LIFETIME_MS / 3600_000} hours) away; approvals are time-bound`);
    const key = readKeyPairFile(values.key!);
    const token = signApprovalToken(payload, key);
    const text = `${JSON.stringify(token, null, 2)}\n`;
    if (values.out) {
      writeFileSync(values.out, text, { mode: 0o600 });
      ctx.stdout.write(`approval for ${payload.technicianId} on ${payload.deviceId} (${payload.scopes.join(',')}, ticket ${payload.ticketId}) until ${payload.expiresAt}, ${approvalUses(payload)} use(s)\nsigned by approvals key ${keyFingerprint(key.publicKey)}, written to ${values.out}\n`);
    } else {
      ctx.stdout.write(text);
    }
    return EXIT.ok;
  },
};
export default command;
