// Everything that carries the central audit out of the relay (syslog, JSONL,
// the alert webhook), started and stopped as one. `storage` comes back wrapped
// with the append hook: give that one to the relay.
import type { RelayStorage } from '../storage/storage.js';
import { AlertWebhook } from './alert-webhook.js';
import { noticingAppends } from './append-notice.js';
import { JsonlStream } from './jsonl-stream.js';
import { StreamCursor } from './stream-cursor.js';
import { SyslogStream } from './syslog-stream.js';
import type { SyslogTarget } from './syslog-target.js';

export interface AuditStreamConfig {
  syslog?: { target: SyslogTarget; ca?: string[] };
  jsonlPath?: string;
  alertWebhook?: { url: URL; secret: Buffer };
}

export interface AuditStreams {
  storage: RelayStorage;
  /** One line per stream for the relay's start-up banner. */
  describe(): string[];
  /** Send what can be sent in a short grace, then stop; the rest is sent after the next start. */
  stop(): Promise<void>;
}

export async function startAuditStreams(storage: RelayStorage, dataDir: string, config: AuditStreamConfig, log: (line: string) => void): Promise<AuditStreams> {
  const head = (await storage.auditHead())?.seq ?? 0;
  const syslog = config.syslog
    ? new SyslogStream({ target: config.syslog.target, ...(config.syslog.ca ? { ca: config.syslog.ca } : {}), storage, cursor: StreamCursor.open(dataDir, 'syslog', head, log), log })
    : undefined;
  const jsonl = config.jsonlPath ? new JsonlStream({ path: config.jsonlPath, storage, cursor: StreamCursor.open(dataDir, 'jsonl', head, log), log }) : undefined;
  const webhook = config.alertWebhook ? await AlertWebhook.open({ ...config.alertWebhook, storage, dataDir, log }) : undefined;
  syslog?.start();
  jsonl?.start();
  webhook?.start();
  return {
    storage: syslog || jsonl ? noticingAppends(storage, () => (syslog?.wake(), jsonl?.wake())) : storage,
    describe: () => [
      ...(config.syslog ? [`audit syslog: ${config.syslog.target.label} (RFC 5424; queue: the central audit after the stream's cursor)`] : []),
      ...(config.jsonlPath ? [`audit JSONL: ${config.jsonlPath}`] : []),
      ...(config.alertWebhook ? [`alert webhook: ${config.alertWebhook.url.origin}${config.alertWebhook.url.pathname} (${webhook!.counts.queued} queued)`] : []),
    ],
    async stop() {
      await Promise.all([syslog?.stop(), jsonl?.stop(), webhook?.stop()]);
    },
  };
}
