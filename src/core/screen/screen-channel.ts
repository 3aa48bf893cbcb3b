// One viewer's screen channel on the agent: a TCP connection to the local VNC
// server named by policy (never by the relay or the technician), both RFB
// handshakes run here, then server bytes go to the viewer as they come and
// viewer bytes go through the input filter. Closing destroys the socket at
// once. A gate opens it only while `view` is granted and closes it on revoke/end.
import { connect, type Socket } from 'node:net';
import { CreditWindow, frameCharge } from '../../protocol/channel-frame.js';
import type { ErrorCode } from '../../protocol/error-codes.js';
import { AckBatcher } from '../../protocol/channel-ack-batcher.js';
import { SocketToChannel } from './channel-pump.js';
import { ByteReader } from './byte-reader.js';
import { handshakeWithServer, handshakeWithViewer, RfbHandshakeError } from './rfb-handshakes.js';
import { RfbInputFilter } from './rfb-input-filter.js';

export interface ScreenEndpoint {
  host: '127.0.0.1' | '::1';
  port: number;
  /** The VNC password (read from the policy's password file), if the server wants one. */
  password?: string;
}

export interface ScreenChannelDeps {
  endpoint: ScreenEndpoint;
  sendData: (payload: Uint8Array) => void;
  sendAck: (bytes: number) => void;
  /** Asked for every input message: is `control` granted right now? */
  controlAllowed: () => boolean;
  /** The server handshake is done: record and tell the technician; false stops the channel. */
  onOpen: () => Promise<boolean>;
  /** The channel closed by itself (server gone, handshake failed, violation): tell the technician. */
  onFailed: (code: ErrorCode, detail: string) => void;
  /** The viewer's input reached the server for the first time (the banner says so). */
  onFirstInput?: () => void;
  /** How long the local server may take to connect and answer the handshake. */
  handshakeTimeoutMs?: number;
}

/** Unread viewer bytes held during its handshake. */
const MAX_HANDSHAKE_BYTES = 4096;

export class ScreenChannel {
  private socket: Socket | undefined;
  private readonly fromServer = new ByteReader(64 * 1024);
  private readonly fromViewer = new ByteReader(MAX_HANDSHAKE_BYTES);
  private pump: SocketToChannel | undefined;
  /** Credit towards the viewer, shared by the handshake and the pump. */
  private readonly toViewer = new CreditWindow();
  private filter: RfbInputFilter | undefined;
  private closed = false;
  private inputSeen = false;
  private readonly acks: AckBatcher;

  constructor(private readonly d: ScreenChannelDeps) {
    this.acks = new AckBatcher((bytes) => d.sendAck(bytes));
  }

  /** True once the viewer's input has reached the server while control was granted. */
  get carriedInput(): boolean {
    return this.inputSeen;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  open(): void {
    const { host, port } = this.d.endpoint;
    const socket = connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    const timer = setTimeout(() => this.fail('screen-unavailable', 'the local VNC server did not answer in time'), this.d.handshakeTimeoutMs ?? 5000);
    const onHandshakeData = (chunk: Buffer) => {
      if (!this.fromServer.push(chunk)) this.fail('screen-unavailable', 'the local VNC server sent too much during its handshake');
    };
    socket.on('data', onHandshakeData);
    socket.on('error', (err) => this.fail('screen-unavailable', `the local VNC server: ${err.message}`));
    socket.on('close', () => this.fail('screen-unavailable', 'the local VNC server closed the connection'));
    void this.run(socket, onHandshakeData)
      .catch((err: unknown) => {
        const code = err instanceof RfbHandshakeError && /viewer/.test(err.message) ? 'channel-violation' : 'screen-unavailable';
        this.fail(code, err instanceof Error ? err.message : String(err));
      })
      .finally(() => clearTimeout(timer));
  }

  /** Bytes from the technician's viewer. */
  deliver(payload: Uint8Array): void {
    this.take(payload, frameCharge(payload.byteLength));
  }

  /** `charge`: credit to give back once handled (0: already given back). */
  private take(payload: Uint8Array, charge: number): void {
    if (this.closed) return;
    const ack = () => {
      if (charge > 0 && !this.closed) this.acks.add(charge);
    };
    if (!this.filter) {
      if (!this.fromViewer.push(payload)) return this.fail('channel-violation', 'the viewer sent too much before the RFB handshake ended');
      return ack();
    }
    const step = this.filter.push(payload);
    if (!step.ok) return this.fail('channel-violation', step.detail);
    if (step.inputForwarded && !this.inputSeen) {
      this.inputSeen = true;
      this.d.onFirstInput?.();
    }
    if (step.forward.length === 0) return ack();
    this.socket!.write(Buffer.concat(step.forward), (err) => {
      if (!err) ack();
    });
  }

  /** Credit back from the technician for server bytes; false is a violation. */
  ack(bytes: number): boolean {
    return this.pump ? this.pump.ack(bytes) : this.toViewer.release(bytes);
  }

  /** Close now (revoke, end, technician closed it). Says nothing to the technician. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.acks.stop();
    this.pump?.stop();
    this.fromServer.fail(new Error('closed'));
    this.fromViewer.fail(new Error('closed'));
    this.socket?.destroy();
  }

  private async run(socket: Socket, onHandshakeData: (chunk: Buffer) => void): Promise<void> {
    const serverInit = await handshakeWithServer(this.fromServer, (b) => socket.write(b), this.d.endpoint.password);
    if (this.closed) return;
    // Server bytes wait (paused socket) until the viewer is through its handshake.
    socket.off('data', onHandshakeData);
    socket.pause();
    // channel.opened must be on its way before the first data frame, or the relay refuses the data.
    if (!(await this.d.onOpen()) || this.closed) return;
    const toViewer = (b: Buffer) => {
      // Handshake messages are small (ServerInit carries at most a 4 KiB name): they always fit the window.
      this.toViewer.charge(b.byteLength);
      this.d.sendData(b);
    };
    await handshakeWithViewer(this.fromViewer, toViewer, serverInit);
    if (this.closed) return;
    this.filter = new RfbInputFilter(this.d.controlAllowed);
    const early = this.fromViewer.takeRest();
    this.pump = new SocketToChannel(socket, (b) => this.d.sendData(b), this.toViewer);
    this.pump.start(this.fromServer.takeRest());
    if (early.byteLength > 0) this.take(early, 0);
  }

  private fail(code: ErrorCode, detail: string): void {
    if (this.closed) return;
    this.close();
    this.d.onFailed(code, detail);
  }
}
