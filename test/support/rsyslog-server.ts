// A real rsyslogd (Debian's rsyslog) for the audit streaming tests: its own
// config and work dir in a temp dir, listening on a free loopback port, writing
// every message it parsed as one JSON line (header fields, the structured data
// as mmpstrucdata parsed it, the message). Optional TLS through the gtls driver
// (package rsyslog-gnutls) with a certificate the test made.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './bounded-wait.js';
import { freePort } from './free-port.js';

export const RSYSLOGD = '/usr/sbin/rsyslogd';
export const hasRsyslog = existsSync(RSYSLOGD);
const MODULES = '/usr/lib/x86_64-linux-gnu/rsyslog';
export const hasRsyslogTls = existsSync(join(MODULES, 'lmnsd_gtls.so'));

export interface ReceivedMessage {
  app: string;
  msgid: string;
  host: string;
  pri: number;
  procid: string;
  time: string;
  /** The structured data as rsyslog's mmpstrucdata parsed it: SD-ID -> param -> value. */
  sd: Record<string, Record<string, string>>;
  msg: string;
}

export interface RsyslogOptions {
  transport: 'tcp' | 'udp';
  tls?: { caFile: string; certFile: string; keyFile: string };
}

export class RsyslogServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'pl-rsyslog-'));
  readonly out = join(this.dir, 'received.jsonl');
  private child: ChildProcess | undefined;
  private log = '';
  port = 0;

  constructor(private readonly o: RsyslogOptions) {}

  async start(): Promise<void> {
    this.port ||= await freePort();
    const pidFile = join(this.dir, 'rsyslogd.pid');
    const tls = this.o.tls;
    const input =
      this.o.transport === 'udp'
        ? `module(load="imudp")\ninput(type="imudp" address="127.0.0.1" port="${this.port}" ruleset="audit")`
        : tls
          ? `global(DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="${tls.caFile}" DefaultNetstreamDriverCertFile="${tls.certFile}" DefaultNetstreamDriverKeyFile="${tls.keyFile}")\n` +
            `module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")\ninput(type="imtcp" address="127.0.0.1" port="${this.port}" ruleset="audit")`
          : `module(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="${this.port}" ruleset="audit")`;
    const config = `global(workDirectory="${this.dir}" maxMessageSize="64k")
module(load="mmpstrucdata")
${input}
template(name="asJson" type="list" option.jsonf="on") {
  property(outname="app" name="app-name" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="pri" name="pri" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="time" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="sd" name="$!rfc5424-sd" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
ruleset(name="audit") {
  action(type="mmpstrucdata" sd_name.lowercase="off")
  action(type="omfile" file="${this.out}" template="asJson" flushOnTXEnd="on")
}
`;
    const confFile = join(this.dir, 'rsyslog.conf');
    writeFileSync(confFile, config);
    this.child = spawn(RSYSLOGD, ['-n', '-f', confFile, '-i', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.log += d));
    this.child.stderr!.on('data', (d) => (this.log += d));
    const child = this.child;
    let exited = false;
    child.once('exit', () => (exited = true));
    // Listening: a connect succeeds (TCP), or the pid file is written once inputs are up (UDP).
    await until(
      () => exited || this.listening(),
      `rsyslogd to listen on 127.0.0.1:${this.port}`,
      () => this.log || 'no output',
      { ms: 10_000 },
    );
    if (exited) throw new Error(`rsyslogd exited at start: ${this.log}`);
  }

  /** The kernel's socket table says the port is bound (TCP: listening), without sending rsyslog anything. */
  private listening(): boolean {
    const table = readFileSync(this.o.transport === 'udp' ? '/proc/net/udp' : '/proc/net/tcp', 'utf8');
    const port = this.port.toString(16).toUpperCase().padStart(4, '0');
    return table.split('\n').some((row) => {
      const cols = row.trim().split(/\s+/);
      return cols[1] === `0100007F:${port}` && (this.o.transport === 'udp' || cols[3] === '0A');
    });
  }

  /** SIGSTOP: rsyslogd stops reading; what the relay sends now waits unread in the kernel's receive buffer. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Bytes the kernel holds for rsyslogd on its accepted TCP connections that it has not read yet. */
  unreadBytes(): number {
    const port = this.port.toString(16).toUpperCase().padStart(4, '0');
    return readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .map((row) => row.trim().split(/\s+/))
      .filter((cols) => cols[1] === `0100007F:${port}` && cols[3] === '01')
      .reduce((sum, cols) => sum + parseInt(cols[4]!.split(':')[1]!, 16), 0);
  }

  /** SIGKILL: the receiver dies with whatever it had not written (the harsh case). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    this.child = undefined;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
    this.child = undefined;
  }

  received(): ReceivedMessage[] {
    if (!existsSync(this.out)) return [];
    return readFileSync(this.out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const raw = JSON.parse(line) as Record<string, string>;
        return { ...raw, pri: Number(raw.pri), sd: raw.sd ? (JSON.parse(raw.sd) as ReceivedMessage['sd']) : {} } as ReceivedMessage;
      });
  }

  output(): string {
    return this.log;
  }
}
