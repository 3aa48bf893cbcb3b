// `porchlight relay enroll-device`: a one-time token for a device's first key,
// or, with --rekey, an admin's explicit and audited permission to replace the
// key of an already enrolled device. Re-enrolling never happens silently.
import { parseArgs } from '../parse-args.js';
import { identifier } from '../../protocol/primitives.js';
import { keyFingerprint } from '../../protocol/signing.js';
import { CentralAudit } from '../../relay/audit/central-audit.js';
import { openRelayDataDir } from '../relay-data-dir.js';
import { hashSecretToken, newSecretToken } from '../../relay/secret-token.js';
import { UsageError, type CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { adminActor, AS_OPTION } from '../admin-actor.js';
import { recordAdmin } from '../../relay/accounts/admin-trail.js';

export async function enrollDevice(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      device: { type: 'string' },
      hours: { type: 'string', default: '24' },
      rekey: { type: 'boolean', default: false },
      data: { type: 'string' },
      ...AS_OPTION,
    },
    strict: true,
  });
  const actor = adminActor(ctx.env, values.as);
  if (!values.device || !identifier.safeParse(values.device).success) {
    throw new UsageError('--device must be 1-64 chars of A-Z a-z 0-9 _ . : -');
  }
  const hours = Number(values.hours);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 30) {
    throw new UsageError('--hours must be between 0 and 720');
  }
  const data = openRelayDataDir(values.data, ctx.env);
  try {
    const device = await data.storage.getDevice(values.device);
    if (device && !values.rekey) {
      const current = keyFingerprint(device.publicKey);
      throw new UsageError(
        `device ${values.device} is already enrolled with key ${current}; ` + 'pass --rekey to let it enroll a new key (audited)',
      );
    }
    if (!device && values.rekey) {
      throw new UsageError(`device ${values.device} is not enrolled; enroll it without --rekey`);
    }
    const token = newSecretToken();
    const now = Date.now();
    const expiresAt = new Date(now + hours * 3600_000).toISOString();
    const purpose = device ? 'rekey' : 'enroll';
    if (device) {
      // Audited before the token exists: no re-key without its record.
      await new CentralAudit(data.storage, () => now).record(
        'device-rekey-authorized',
        { deviceId: values.device },
        { keyFingerprint: keyFingerprint(device.publicKey), expiresAt, by: actor.as ?? actor.by },
      );
    }
    const createdAt = new Date(now).toISOString();
    const tokenHash = hashSecretToken(token);
    await data.storage.addEnrollment({ deviceId: values.device, tokenHash, createdAt, expiresAt, purpose });
    if (!device) {
      // A re-key has its own record above (device-rekey-authorized); a first enrollment gets this one.
      const target = values.device;
      const detail = `enrollment token valid until ${expiresAt}`;
      await recordAdmin(data.storage, actor, { action: 'device-enrollment-issued', target, technicianId: null, deviceId: target, detail }, now);
    }
    const what = device
      ? `one-time RE-KEY token for device ${values.device} (replaces key ${keyFingerprint(device.publicKey)})`
      : `one-time enrollment token for device ${values.device}`;
    ctx.stdout.write(
      `${what} (valid until ${expiresAt}):\n${token}\n` +
        `relay key fingerprint to pin in the agent's policy: ${keyFingerprint(data.relayKey.publicKey)}\n` +
        `relay public key: ${data.relayKey.publicKey}\n`,
    );
    return EXIT.ok;
  } finally {
    await data.storage.close();
  }
}
