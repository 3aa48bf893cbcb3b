// The technician console in the browser: same protocol and auth as the CLI.
// Every string from the network is set with textContent, never as HTML. Like
// the CLI, it checks the device itself (device-check.ts) before it shows an
// answer as the user's.
import { encodeFrame, newMessageId, parseFrame } from '../../protocol/frame.js';
import { isDeviceSignable } from '../../protocol/device-signed-payload.js';
import { ACCEPTED_BY, type Message } from '../../protocol/messages.js';
import { canVerify, checkDeviceFrame, fingerprintOf, holdDeviceKey, type TrustedDevice } from './device-check.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let ws: WebSocket | null = null;
/** Known devices are remembered per relay key, as the CLI does. */
let relayId = location.host;
let current: {
  requestId?: string;
  sessionId?: string;
  techMsgId: string;
  /** The request, held until the device key checked out. */
  held?: Message<'tech.request'>;
  keyAskId: string;
  device?: TrustedDevice;
} | null = null;

function show(id: string, visible: boolean): void {
  $(id).hidden = !visible;
}

function setError(text: string): void {
  $('error').textContent = text;
}

function addEvent(text: string): void {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $('events').append(li);
}

function send(msg: Message): void {
  if (ws?.readyState === WebSocket.OPEN) ws.send(encodeFrame(msg));
}

function signIn(token: string, otpCode: string): void {
  setError('');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
  ws = new WebSocket(url);
  const otp = /^\d{6}$/.test(otpCode) ? { otp: otpCode } : {};
  ws.addEventListener('open', () => send({ v: 1, type: 'hello', id: newMessageId(), role: 'technician', token, client: 'porchlight-console', ...otp }));
  // One frame at a time, in order: a signature check is asynchronous.
  let queue = Promise.resolve();
  ws.addEventListener('message', (ev) => {
    queue = queue.then(() => onFrame(String(ev.data)));
  });
  ws.addEventListener('close', () => {
    $('who').textContent = 'Not signed in';
    show('signin', true);
    show('request', false);
    $<HTMLButtonElement>('end').disabled = true;
  });
}

const TRUST_WORDS = { 'first-use': 'first use: remembered', known: 'known', rekeyed: 're-keyed by an admin, audited' } as const;

/** The device's key, fetched at request time: computed fingerprint, held against what this browser remembers. */
async function onDeviceKey(msg: Message<'device.key'>): Promise<void> {
  if (!current?.held || msg.deviceId !== current.held.deviceId) return;
  const fingerprint = await fingerprintOf(msg.publicKey);
  if (fingerprint !== msg.fingerprint) return refuse(`the relay states fingerprint ${msg.fingerprint} for a key whose fingerprint is ${fingerprint}`);
  const verdict = holdDeviceKey(localStorage, relayId, msg);
  if (verdict.kind === 'changed') {
    return refuse(
      `WARNING: THE KEY OF DEVICE ${msg.deviceId} HAS CHANGED. Remembered key fingerprint: ${verdict.known}; ` +
        `key the relay presents now: ${verdict.presented}. The relay records no audited re-key between them; nothing was sent.`,
    );
  }
  $('fingerprint').textContent = `Device key fingerprint: ${fingerprint} (${TRUST_WORDS[verdict.kind]})`;
  current.device = { deviceId: msg.deviceId, publicKey: msg.publicKey, fingerprint };
  const held = current.held;
  delete current.held;
  send(held);
}

/** Loudly: the answer is not the device's. End what it would have opened. */
function refuse(detail: string, msg?: Message): void {
  setError(`REFUSED: ${detail}`);
  addEvent(`refused: ${detail}`);
  const sessionId = current?.sessionId ?? (msg && 'sessionId' in msg && typeof msg.sessionId === 'string' ? msg.sessionId : undefined);
  if (sessionId) send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'technician', reason: 'the device signature did not verify' });
  else if (current?.requestId) send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId: current.requestId });
  $('state').textContent = 'Refused: not the device\'s answer';
  finish();
}

async function onFrame(text: string): Promise<void> {
  const parsed = parseFrame(text, ACCEPTED_BY.technicianFromRelay);
  if (!parsed.ok) return;
  const msg = parsed.msg;
  let sealed = '';
  // A device-signed frame is shown only once this console verified it (none after a refusal).
  if (isDeviceSignable(msg)) {
    if (!current?.device) return;
    const v = await checkDeviceFrame(msg, current.device, current.requestId);
    if (v.kind === 'refused') return refuse(v.detail, msg);
    if (v.kind === 'verified') sealed = ` (device signature verified, key ${v.fingerprint})`;
  }
  switch (msg.type) {
    case 'device.key':
      return onDeviceKey(msg);
    case 'welcome':
      if (msg.relayKeyFingerprint) relayId = msg.relayKeyFingerprint;
      $('who').textContent = msg.technician ? `Signed in as ${msg.technician.name} (${msg.technician.group})` : 'Signed in';
      show('signin', false);
      show('request', true);
      return;
    case 'session.pending':
      if (!current) return;
      current.requestId = msg.requestId;
      $('code').textContent = msg.verificationCode;
      $('state').textContent = `Waiting for the user's decision (until ${new Date(msg.expiresAt).toLocaleTimeString()})`;
      $<HTMLButtonElement>('end').disabled = false;
      addEvent(`request sent to ${msg.deviceId}`);
      return;
    case 'session.decision':
      $('state').textContent = `Decision: ${msg.outcome}`;
      addEvent(`decision ${msg.outcome} (${msg.decidedBy}): granted ${msg.granted.join(', ') || 'nothing'}; declined ${msg.declined.join(', ') || 'nothing'}${sealed}`);
      if (current && msg.sessionId) current.sessionId = msg.sessionId;
      if (msg.granted.length === 0) finish();
      return;
    case 'session.started':
      if (current) current.sessionId = msg.sessionId;
      $('state').textContent = `Session live until ${new Date(msg.endsAt).toLocaleTimeString()}`;
      addEvent(`session started with ${msg.scopes.join(', ')}${sealed}`);
      return;
    case 'session.scope-update':
      addEvent(`scopes ${msg.change}: ${msg.scopes.join(', ')}; granted now ${msg.granted.join(', ') || 'nothing'}`);
      return;
    case 'session.file-transfer-result':
      addEvent(`file ${msg.transferId} ${msg.allowed ? 'allowed' : 'refused'}`);
      return;
    case 'session.end':
      $('state').textContent = `Session ended by ${msg.by}`;
      addEvent(`session ended by ${msg.by}${msg.reason ? `: ${msg.reason}` : ''}`);
      finish();
      return;
    case 'session.summary':
      addEvent(`summary: ${msg.summary.durationSec} s, used ${msg.summary.scopesUsed.join(', ') || 'nothing'}`);
      return;
    case 'error':
      setError(`${msg.code}${msg.detail ? `: ${msg.detail}` : ''}`);
      if (msg.code === 'mfa-required') $<HTMLInputElement>('otp').focus();
      addEvent(`error ${msg.code}`);
      if (current && (msg.re === current.techMsgId || msg.re === current.keyAskId)) finish();
      return;
    default:
      return;
  }
}

function finish(): void {
  $<HTMLButtonElement>('end').disabled = true;
  show('request', true);
  current = null;
}

$('signin').addEventListener('submit', (ev) => {
  ev.preventDefault();
  signIn($<HTMLInputElement>('token').value.trim(), $<HTMLInputElement>('otp').value.trim());
  // A code is good once: never leave it in the form for a second try.
  $<HTMLInputElement>('otp').value = '';
});

$('request').addEventListener('submit', (ev) => {
  ev.preventDefault();
  setError('');
  const form = new FormData($<HTMLFormElement>('request'));
  const ticketUrl = String(form.get('ticket-url') ?? '').trim();
  const msg = {
    v: 1,
    type: 'tech.request',
    id: newMessageId(),
    deviceId: String(form.get('device') ?? '').trim(),
    ticket: ticketUrl ? { id: String(form.get('ticket') ?? '').trim(), url: ticketUrl } : { id: String(form.get('ticket') ?? '').trim() },
    reason: String(form.get('reason') ?? ''),
    scopes: form.getAll('scope').map(String),
    mode: 'attended',
    estimatedMinutes: Number(form.get('minutes')),
  } as Message<'tech.request'>;
  if (!canVerify()) {
    setError('This page cannot verify device signatures here (no WebCrypto): open the console over https.');
    return;
  }
  // The request waits for the device key: nothing is sent for a device this console can't check.
  const ask: Message<'tech.device-key'> = { v: 1, type: 'tech.device-key', id: newMessageId(), deviceId: msg.deviceId };
  try {
    send(ask);
  } catch (err) {
    setError(err instanceof Error ? err.message : String(err));
    return;
  }
  current = { techMsgId: msg.id, held: msg, keyAskId: ask.id };
  $('fingerprint').textContent = '';
  $('events').replaceChildren();
  $('code').textContent = '';
  $('state').textContent = 'Sending ...';
  show('request', false);
  show('live', true);
});

$('end').addEventListener('click', () => {
  if (!current) return;
  if (current.sessionId) send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: current.sessionId, by: 'technician', reason: 'ended from the console' });
  else if (current.requestId) send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId: current.requestId });
  addEvent('end requested');
  finish();
});
