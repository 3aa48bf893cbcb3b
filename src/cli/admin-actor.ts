// Who runs an admin command, for the admin trail: the OS user, and `--as NAME`
// where the relay's admin commands run under a service account.
import { userInfo } from 'node:os';
import { lineText } from '../protocol/primitives.js';
import type { AdminActor } from '../relay/accounts/admin-trail.js';
import { UsageError } from './command.js';

export const AS_OPTION = { as: { type: 'string' } } as const;

function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username.slice(0, 100) || 'unknown';
  } catch {
    return (env.USER ?? 'unknown').slice(0, 100);
  }
}

export function adminActor(env: NodeJS.ProcessEnv, as: string | undefined): AdminActor {
  if (as !== undefined && !lineText(100).safeParse(as).success) throw new UsageError('--as must be one line of at most 100 characters');
  return { by: osUser(env), ...(as !== undefined ? { as } : {}) };
}
