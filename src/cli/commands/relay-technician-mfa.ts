// `relay technicians mfa enroll|reset ID`: enroll prints the otpauth:// URI and a
// terminal QR code for the technician's authenticator app, then asks for a first
// code and stores the secret only when that code is right; reset removes it (a
// lost phone). Both go to the admin trail; the secret never does.
import QRCode from 'qrcode';
import { parseArgs } from '../parse-args.js';
import { recordAdmin } from '../../relay/accounts/admin-trail.js';
import { newTotpSecret, totpStep, totpUri } from '../../relay/accounts/totp.js';
import { adminActor, AS_OPTION } from '../admin-actor.js';
import { CliError } from '../cli-error.js';
import { UsageError, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { openRelayDataDir } from '../relay-data-dir.js';
import { readOneLine } from '../read-line.js';
import { requireTechnician } from './relay-technicians.js';

export async function technicianMfa(argv: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'enroll' && sub !== 'reset') throw new UsageError('expected: porchlight relay technicians mfa enroll|reset ID');
  const options = { data: { type: 'string' }, storage: { type: 'string' }, 'no-qr': { type: 'boolean', default: false }, ...AS_OPTION } as const;
  const { values, positionals } = parseArgs({ args: rest, options, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(`expected: porchlight relay technicians mfa ${sub} ID`);
  const actor = adminActor(ctx.env, values.as);
  const data = openRelayDataDir(values.data, ctx.env, values.storage);
  try {
    const before = await requireTechnician(data.storage, positionals[0]);
    const id = before.id;
    if (sub === 'reset') {
      await data.storage.updateTechnician(id, { mfaSecret: null, mfaEnrolledAt: null, mfaLastStep: null });
      const after = await requireTechnician(data.storage, id);
      await recordAdmin(data.storage, actor, { action: 'mfa-reset', target: id, before, after });
      ctx.stdout.write(`second factor of ${id} removed; enroll a new one with: porchlight relay technicians mfa enroll ${id}\n`);
      return EXIT.ok;
    }
    if (before.mfaSecret !== undefined) throw new CliError('mfa-enrolled', `${id} already has a second factor; reset it first (mfa reset ${id})`, EXIT.other);
    const secret = newTotpSecret();
    const uri = totpUri(secret, id);
    ctx.stdout.write(`Scan this with ${id}'s authenticator app (or enter the URI); it holds the secret, show it to ${id} only:\n${uri}\n`);
    if (!values['no-qr']) ctx.stdout.write(await QRCode.toString(uri, { type: 'terminal', small: true }));
    const code = await readOneLine(ctx, 'first code from the app: ');
    const step = totpStep(secret, code, Date.now());
    if (step === null) throw new CliError('wrong-otp', 'that code does not match; nothing was stored, run mfa enroll again', EXIT.unauthorized);
    const at = new Date().toISOString();
    await data.storage.updateTechnician(id, { mfaSecret: secret, mfaEnrolledAt: at, mfaLastStep: step });
    const after = await requireTechnician(data.storage, id);
    await recordAdmin(data.storage, actor, { action: 'mfa-enrolled', target: id, before, after });
    ctx.stdout.write(`second factor enrolled for ${id}\n`);
    return EXIT.ok;
  } finally {
    await data.storage.close();
  }
}
