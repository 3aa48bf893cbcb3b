// `porchlight relay --hello-timeout-ms --max-unauthenticated-per-address` as a
// child process: the flags reach the relay (a second silent socket from one
// address is dropped, the first is destroyed at its short deadline); bad values are usage errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, runCli, startCli } from './built-cli.js';

beforeAll(ensureBuilt, 120_000);

function openSocket(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function closedWithin(s: Socket, ms: number, what: string): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms);
    s.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe('porchlight relay connection-limit flags', () => {
  it('applies --hello-timeout-ms and --max-unauthenticated-per-address', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-relay-limits-'));
    const relay = startCli(['relay', '--port', '0', '--data', data, '--hello-timeout-ms', '300', '--max-unauthenticated-per-address', '1']);
    try {
      const banner = await relay.waitForOutput(/listening on ws:\/\/\S+:(\d+)/);
      const port = Number(/listening on ws:\/\/\S+:(\d+)/.exec(banner)![1]);
      const first = await openSocket(port);
      const firstClosed = closedWithin(first, 3000, 'silent socket past its 300 ms deadline');
      const second = await openSocket(port);
      await closedWithin(second, 2000, 'second unauthenticated socket from the same address');
      expect(await firstClosed).toBeLessThan(2500);
    } finally {
      relay.child.kill('SIGTERM');
      await relay.done;
    }
  });

  it('refuses values out of range', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pl-relay-limits-'));
    const bad = await runCli(['relay', '--data', data, '--hello-timeout-ms', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--hello-timeout-ms must be a whole number 250..120000');
    expect((await runCli(['relay', '--data', data, '--max-unauthenticated-per-address', 'x'])).code).toBe(2);
  });
});
