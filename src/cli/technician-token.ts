// The technician token, checked before any connection: a mis-paste is the
// commonest mistake and deserves a plain answer, not a refused frame.
import { technicianHelloSchema } from '../protocol/messages.js';
import { CliError } from './cli-error.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';

export const MALFORMED_TOKEN = 'the technician token is malformed (expected 16-128 characters A-Z a-z 0-9 _ -)';

/** --token, else PORCHLIGHT_TOKEN; a usage error when neither is given, `unauthorized` (exit 8) when malformed. */
export function requireTechnicianToken(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const token = flag ?? env.PORCHLIGHT_TOKEN;
  if (!token) throw new UsageError('a technician token is required (--token or PORCHLIGHT_TOKEN)');
  if (!technicianHelloSchema.shape.token.safeParse(token).success) throw new CliError('unauthorized', MALFORMED_TOKEN, EXIT.unauthorized);
  return token;
}
