// The two RFB handshakes the agent runs itself (RFC 6143 7.1-7.3), so the
// viewer never chooses a security type whose bytes Porchlight cannot parse
// and never learns the local VNC password:
// - towards the local VNC server, as a client: version, None or VNC
//   authentication with the policy's password, shared ClientInit, ServerInit;
// - towards the technician's viewer, as a server: version, security None,
//   ClientInit, then the server's ServerInit as it came.
import { createCipheriv } from 'node:crypto';
import type { ByteReader } from './byte-reader.js';

export class RfbHandshakeError extends Error {}

const VERSION = /^RFB 003\.(\d{3})\n$/;
const SECURITY_NONE = 1;
const SECURITY_VNC_AUTH = 2;
/** Longest desktop name or failure reason read from the server. */
const MAX_TEXT = 4096;

type Minor = 3 | 7 | 8;

function minorOf(bytes: Buffer, who: string): Minor {
  const m = VERSION.exec(bytes.toString('latin1'));
  if (!m) throw new RfbHandshakeError(`${who} did not send an RFB 3.x ProtocolVersion`);
  const minor = Number(m[1]);
  if (minor >= 8) return 8;
  if (minor === 7) return 7;
  if (minor >= 3) return 3;
  throw new RfbHandshakeError(`${who} speaks RFB 3.${minor}`);
}

const versionBytes = (minor: Minor) => Buffer.from(`RFB 003.00${minor}\n`, 'latin1');

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

async function reason(r: ByteReader): Promise<string> {
  const length = await r.readU32();
  if (length > MAX_TEXT) return '(reason too long)';
  return (await r.read(length)).toString('latin1').replace(/[^\x20-\x7e]/g, ' ');
}

/** VNC authentication: the challenge DES-encrypted with the password (8 bytes, each byte's bits reversed). */
export function vncAuthResponse(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  for (let i = 0; i < 8; i++) key[i] = reverseBits(key[i]!);
  // Single DES as two-key triple DES with equal halves (OpenSSL 3 keeps plain DES in its legacy provider).
  const cipher = createCipheriv('des-ede-ecb', Buffer.concat([key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(challenge), cipher.final()]);
}

function reverseBits(b: number): number {
  let out = 0;
  for (let i = 0; i < 8; i++) out = (out << 1) | ((b >> i) & 1);
  return out;
}

/** As a client of the local VNC server; resolves with its ServerInit message. */
export async function handshakeWithServer(r: ByteReader, write: (b: Buffer) => void, password: string | undefined): Promise<Buffer> {
  const minor = minorOf(await r.read(12), 'the VNC server');
  write(versionBytes(minor));
  let chosen: number;
  if (minor === 3) {
    chosen = await r.readU32();
    if (chosen === 0) throw new RfbHandshakeError(`the VNC server refused: ${await reason(r)}`);
  } else {
    const count = await r.readU8();
    if (count === 0) throw new RfbHandshakeError(`the VNC server refused: ${await reason(r)}`);
    const types = [...(await r.read(count))];
    if (types.includes(SECURITY_NONE) && password === undefined) chosen = SECURITY_NONE;
    else if (types.includes(SECURITY_VNC_AUTH) && password !== undefined) chosen = SECURITY_VNC_AUTH;
    else if (types.includes(SECURITY_NONE)) chosen = SECURITY_NONE;
    else throw new RfbHandshakeError(`the VNC server offers security types [${types.join(', ')}], none Porchlight can use`);
    write(Buffer.from([chosen]));
  }
  if (chosen === SECURITY_VNC_AUTH) {
    if (password === undefined) throw new RfbHandshakeError('the VNC server wants a password and policy names no password file');
    write(vncAuthResponse(password, await r.read(16)));
  } else if (chosen !== SECURITY_NONE) {
    throw new RfbHandshakeError(`the VNC server chose security type ${chosen}`);
  }
  if (minor === 8 || chosen === SECURITY_VNC_AUTH) {
    const result = await r.readU32();
    if (result !== 0) throw new RfbHandshakeError(`the VNC server refused the login${minor === 8 ? `: ${await reason(r)}` : ''}`);
  }
  write(Buffer.from([1])); // ClientInit, shared: never disconnect the user's own viewers
  const head = await r.read(24);
  const nameLength = head.readUInt32BE(20);
  if (nameLength > MAX_TEXT) throw new RfbHandshakeError('the VNC server sent an oversize desktop name');
  return Buffer.concat([head, await r.read(nameLength)]);
}

/** As the server the viewer sees: security None, then the real server's ServerInit. */
export async function handshakeWithViewer(r: ByteReader, write: (b: Buffer) => void, serverInit: Buffer): Promise<void> {
  write(versionBytes(8));
  const minor = minorOf(await r.read(12), 'the viewer');
  if (minor === 3) {
    write(u32(SECURITY_NONE));
  } else {
    write(Buffer.from([1, SECURITY_NONE]));
    const choice = await r.readU8();
    if (choice !== SECURITY_NONE) throw new RfbHandshakeError(`the viewer chose security type ${choice}, not None`);
    if (minor === 8) write(u32(0));
  }
  await r.readU8(); // ClientInit: the shared flag is Porchlight's to set (always shared)
  write(serverInit);
}
