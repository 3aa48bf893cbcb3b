// `--syslog tcp+tls://host:port | tcp://host:port | udp://host:port`.
import { z } from 'zod';
import { urlText } from '../../shared/url-text.js';

export const SYSLOG_TRANSPORTS = ['tcp+tls', 'tcp', 'udp'] as const;
export type SyslogTransport = (typeof SYSLOG_TRANSPORTS)[number];

export interface SyslogTarget {
  transport: SyslogTransport;
  host: string;
  port: number;
  /** For log lines: the URL as given, without anything after the port. */
  label: string;
}

const targetUrl = urlText.transform((url, ctx) => {
  const transport = url.protocol.slice(0, -1);
  if (!(SYSLOG_TRANSPORTS as readonly string[]).includes(transport)) {
    ctx.addIssue({ code: 'custom', message: `scheme must be ${SYSLOG_TRANSPORTS.map((t) => `${t}://`).join(', ')}` });
    return z.NEVER;
  }
  if (url.hostname === '' || url.port === '' || url.port === '0' || url.username !== '' || url.password !== '' || (url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    ctx.addIssue({ code: 'custom', message: 'must be scheme://host:port and nothing more' });
    return z.NEVER;
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { transport: transport as SyslogTransport, host, port: Number(url.port), label: `${transport}://${url.host}` };
});

/** The target, or the reason it is not one (for a usage error). */
export function parseSyslogTarget(value: string): SyslogTarget | string {
  const parsed = targetUrl.safeParse(value);
  return parsed.success ? parsed.data : (parsed.error.issues[0]?.message ?? 'not a syslog URL');
}
