// An in-process CLI context whose stdout and stderr are collected as text.
import { PassThrough } from 'node:stream';

export function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  return { ctx: { stdout: out, stderr: err, env: {}, signal: new AbortController().signal }, text: () => ({ stdout, stderr }) };
}
