// The example admin hook for Linux refuses what it should before it touches
// any account (running it for real needs root and a real account).
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = new URL('../../build/hooks/linux-sudo-group.sh', import.meta.url).pathname;

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(script, args, { env: { PATH: '/usr/bin:/bin' } }, (err, _stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
    });
  });
}

describe.skipIf(process.platform === 'win32')('build/hooks/linux-sudo-group.sh', () => {
  it('refuses an account name with characters a user name never has', async () => {
    expect(await run(['add', 'root;id', 'sudo'])).toMatchObject({ code: 2, stderr: expect.stringContaining('refusing account') });
  });

  it('refuses a group name with such characters', async () => {
    expect(await run(['add', 'porchlight-admin', 'sudo,wheel'])).toMatchObject({ code: 2 });
  });

  it('fails (exit 3) for an account that does not exist, so the scope is not granted', async () => {
    expect(await run(['add', 'no-such-account-pl', 'sudo'])).toMatchObject({ code: 3, stderr: expect.stringContaining('no local account') });
  });

  it('refuses an unknown action', async () => {
    expect((await run(['grant-everything', 'root', 'sudo'])).code).not.toBe(0);
  });
});
