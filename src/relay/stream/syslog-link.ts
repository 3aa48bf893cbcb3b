// One connection to the syslog receiver. TCP and TLS carry octet-counted
// frames; UDP one message per datagram (labs only: nothing tells us it arrived).
import { createSocket } from 'node:dgram';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { octetCounted } from './syslog-message.js';
import type { SyslogTarget } from './syslog-target.js';

export interface SyslogLink {
  /** Resolves once the message is handed to the operating system (not: once the receiver has it). */
  send(msg: string): Promise<void>;
  /** Resolves with the reason when the connection is gone. */
  readonly lost: Promise<string>;
  /** Whether a delivered write is all the confirmation there will ever be (UDP). */
  readonly unacknowledged: boolean;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

export function openSyslogLink(target: SyslogTarget, ca: string[] | undefined, signal: AbortSignal): Promise<SyslogLink> {
  return target.transport === 'udp' ? openUdp(target) : openStream(target, ca, signal);
}

function openStream(target: SyslogTarget, ca: string[] | undefined, signal: AbortSignal): Promise<SyslogLink> {
  return new Promise((resolve, reject) => {
    const tls = target.transport === 'tcp+tls';
    const socket: Socket = tls
      ? connectTls({ host: target.host, port: target.port, servername: /^[\d.:]+$/.test(target.host) ? undefined : target.host, ...(ca !== undefined ? { ca } : {}) })
      : connectTcp({ host: target.host, port: target.port });
    const timer = setTimeout(() => socket.destroy(new Error('connect timed out')), CONNECT_TIMEOUT_MS);
    const stop = () => socket.destroy(new Error('relay stopping'));
    signal.addEventListener('abort', stop, { once: true });
    let settled = false;
    let lostReason = '';
    const lost = new Promise<string>((resolveLost) => {
      const gone = (why: string) => {
        if (!lostReason) lostReason = why;
        resolveLost(lostReason);
      };
      socket.on('error', (err: NodeJS.ErrnoException) => gone(err.code ?? err.message));
      socket.on('end', () => gone('closed by the receiver'));
      socket.on('close', () => gone('connection closed'));
    });
    // A syslog receiver never talks back; reading keeps 'end' coming when it hangs up.
    socket.on('data', () => undefined);
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      settled = true;
      socket.setKeepAlive(true, 15_000);
      resolve({
        unacknowledged: false,
        lost,
        send: (msg) =>
          new Promise<void>((done, fail) => {
            if (socket.destroyed) return fail(new Error(lostReason || 'connection closed'));
            socket.write(octetCounted(msg), (err) => (err ? fail(err) : done()));
          }),
        close: () =>
          new Promise<void>((done) => {
            if (socket.destroyed) return done();
            socket.once('close', () => done());
            socket.end();
            setTimeout(() => socket.destroy(), 2000).unref();
          }),
      });
    });
    void lost.then((why) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      if (!settled) reject(new Error(why));
    });
  });
}

function openUdp(target: SyslogTarget): Promise<SyslogLink> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
    let resolveLost: (why: string) => void = () => undefined;
    const lost = new Promise<string>((r) => (resolveLost = r));
    socket.once('error', (err) => reject(err));
    socket.connect(target.port, target.host, () => {
      socket.removeAllListeners('error');
      socket.on('error', (err: NodeJS.ErrnoException) => resolveLost(err.code ?? err.message));
      resolve({
        unacknowledged: true,
        lost,
        send: (msg) => new Promise<void>((done, fail) => socket.send(Buffer.from(msg, 'utf8'), (err) => (err ? fail(err) : done()))),
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}
