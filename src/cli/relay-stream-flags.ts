// `porchlight relay --syslog URL [--syslog-ca FILE] --audit-jsonl FILE
// --alert-webhook URL --alert-webhook-secret-file FILE` (docs/relay.md "Audit streaming").
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { readCaBundle, withExtraCa } from '../core/connection/extra-ca.js';
import type { AuditStreamConfig } from '../relay/stream/audit-streams.js';
import { parseSyslogTarget } from '../relay/stream/syslog-target.js';
import { UsageError } from './command.js';
import { readInputFile } from './read-input-file.js';
import { urlText } from '../shared/url-text.js';

export const RELAY_STREAM_OPTIONS = {
  syslog: { type: 'string' },
  'syslog-ca': { type: 'string' },
  'audit-jsonl': { type: 'string' },
  'alert-webhook': { type: 'string' },
  'alert-webhook-secret-file': { type: 'string' },
} as const;

export const RELAY_STREAM_HELP = `  --syslog          send every central audit record to a SIEM as RFC 5424 syslog:
                    tcp+tls://host:port (RFC 5425), or tcp:// and udp:// for labs
  --syslog-ca       PEM file of a private CA the tcp+tls receiver's certificate chains to
  --audit-jsonl     append one JSON line per central audit record to this file (fsynced per batch)
  --alert-webhook   POST a signed JSON event for each membership or permission change
                    (https://, or http:// to a loopback address)
  --alert-webhook-secret-file
                    file holding the HMAC-SHA256 signing secret (at least 16 bytes; required)`;

export interface RelayStreamValues {
  syslog?: string;
  'syslog-ca'?: string;
  'audit-jsonl'?: string;
  'alert-webhook'?: string;
  'alert-webhook-secret-file'?: string;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
const isLoopback = (host: string) => LOOPBACK_NAMES.has(host) || (isIP(host) === 4 && host.startsWith('127.'));

const webhookUrl = urlText.transform((url, ctx) => {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'must not carry a user name or password (the secret file signs each event)' });
  else if (url.protocol === 'http:' && !isLoopback(host)) ctx.addIssue({ code: 'custom', message: 'must be https:// (http:// only to a loopback address: events name accounts and admins)' });
  else if (url.protocol !== 'https:' && url.protocol !== 'http:') ctx.addIssue({ code: 'custom', message: 'must be an https:// URL' });
  return url;
});

export function parseRelayStreamFlags(values: RelayStreamValues): AuditStreamConfig {
  const config: AuditStreamConfig = {};
  if (values['syslog-ca'] !== undefined && values.syslog === undefined) throw new UsageError('--syslog-ca goes with --syslog tcp+tls://...');
  if (values.syslog !== undefined) {
    const target = parseSyslogTarget(values.syslog);
    if (typeof target === 'string') throw new UsageError(`--syslog: ${target} (e.g. tcp+tls://siem.example.com:6514)`);
    if (values['syslog-ca'] !== undefined && target.transport !== 'tcp+tls') throw new UsageError('--syslog-ca only applies to a tcp+tls:// receiver');
    let ca: string[] | undefined;
    if (values['syslog-ca'] !== undefined) {
      const bundle = readCaBundle(values['syslog-ca']);
      if (!bundle.ok) throw new UsageError(`--syslog-ca: ${bundle.detail}`);
      ca = withExtraCa(bundle.pem).ca;
    }
    config.syslog = { target, ...(ca ? { ca } : {}) };
  }
  const jsonl = values['audit-jsonl'];
  if (jsonl !== undefined) {
    if (jsonl === '' || (existsSync(jsonl) && !statSync(jsonl).isFile())) throw new UsageError('--audit-jsonl must name a file');
    if (!existsSync(dirname(jsonl))) throw new UsageError(`--audit-jsonl: the directory ${dirname(jsonl)} does not exist`);
    config.jsonlPath = jsonl;
  }
  const hook = values['alert-webhook'];
  const secretFile = values['alert-webhook-secret-file'];
  if ((hook === undefined) !== (secretFile === undefined)) throw new UsageError('--alert-webhook and --alert-webhook-secret-file go together');
  if (hook !== undefined && secretFile !== undefined) {
    const url = webhookUrl.safeParse(hook);
    if (!url.success) throw new UsageError(`--alert-webhook: ${url.error.issues[0]?.message ?? 'not a URL'}`);
    const secret = Buffer.from(readInputFile('--alert-webhook-secret-file', secretFile).toString('utf8').trim(), 'utf8');
    if (secret.length < 16) throw new UsageError('--alert-webhook-secret-file: the secret must be at least 16 bytes');
    config.alertWebhook = { url: url.data, secret };
  }
  return config;
}
