// Signing a technician in from the CLI: the first relay that answers, a one-time
// code from --otp, PORCHLIGHT_OTP or (on a terminal, when the relay asks for
// one) a prompt, and a warning line while the token is in its last 14 days.
import type { CommandContext } from '../command.js';
import { UsageError } from '../command.js';
import { readOneLine } from '../read-line.js';
import { connectFirstRelay, type FirstRelayResult } from './connect-first.js';
import type { TechnicianConnectOptions } from './technician-client.js';

export const OTP_OPTION = { otp: { type: 'string' } } as const;
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 24 * 3_600_000;

function otpFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const otp = flag ?? env.PORCHLIGHT_OTP;
  if (otp !== undefined && !/^\d{6}$/.test(otp)) throw new UsageError('the one-time code (--otp or PORCHLIGHT_OTP) is 6 digits');
  return otp;
}

export async function signInTechnician(ctx: CommandContext, relays: readonly string[], token: string, opts: TechnicianConnectOptions, otpFlag: string | undefined): Promise<FirstRelayResult> {
  const otp = otpFrom(otpFlag, ctx.env);
  let result = await connectFirstRelay(relays, token, otp === undefined ? opts : { ...opts, otp });
  const onTerminal = (ctx.stdin as { isTTY?: boolean } | undefined)?.isTTY === true;
  if (!result.ok && result.code === 'mfa-required' && otp === undefined && onTerminal && /one-time code/.test(result.detail)) {
    const typed = await readOneLine(ctx, 'one-time code from your authenticator app: ');
    result = await connectFirstRelay(relays, token, { ...opts, otp: otpFrom(typed, {}) ?? typed });
  }
  if (result.ok) {
    const warning = tokenExpiryWarning(result.client.account.tokenExpiresAt, Date.now());
    if (warning) ctx.stderr.write(`${warning}\n`);
  }
  return result;
}

export function tokenExpiryWarning(expiresAt: string | undefined, nowMs: number): string | null {
  if (expiresAt === undefined) return null;
  const days = Math.ceil((Date.parse(expiresAt) - nowMs) / DAY_MS);
  if (days > EXPIRY_WARNING_DAYS) return null;
  return `warning: your technician token expires on ${expiresAt.slice(0, 10)} (in ${days} day${days === 1 ? '' : 's'}); ask IT for a new one (relay technicians rotate-token)`;
}
