// The technician console in the browser: same protocol and auth as the CLI.
// Every string from the network is set with textContent, never as HTML. Like
// the CLI, it checks the device itself (device-check.ts) before it shows an
// answer as the user's. The token lives only in this module's memory, which
// is also what signs in again when the relay connection is lost (an instance
// behind the load balancer died): the desk stays, the header says so.
import './zod-jitless.js';
import { newMessageId, parseFrame } from '../../protocol/frame.js';
import { isDeviceSignable } from '../../protocol/device-signed-payload.js';
import { ACCEPTED_BY, type Message } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';
import { canVerify, checkDeviceFrame, fingerprintOf, holdDeviceKey, type TrustedDevice } from './device-check.js';
import { lastSeenOf } from './device-list.js';
import { askForDevices, bindDevicePanel, devicesArrived, devicesOutOfDate } from './device-panel.js';
import { errorInWords } from './error-words.js';
import { readRequestForm, renderScopeChoices, requestModeOf, type FieldId, type RequestMode } from './request-form.js';
import { approvalToken, bindRequestPanel } from './request-panel.js';
import { SocketWire } from './console-wire.js';
import { OUTCOME_WORDS, TRUST_WORDS } from './decision-words.js';
import { bindSessionTools, resetSessionTools, resolutionArrived, scopeUpdated, sessionEnded, sessionStarted, summaryArrived, userMessage } from './live-session.js';
import { ScreenView } from './screen-view.js';
import { showLink } from './link-status.js';
import { reconnectDelayMs } from './reconnect-backoff.js';
import { $, addEvent, clearError, clearFieldErrors, markDecision, markUndecided, setError, setState, showCode, showFieldErrors, startLivePanel } from './live-view.js';

/** How long a request may wait for the relay's first answer before the page says so. */
const FIRST_ANSWER_TIMEOUT_MS = 20_000;

/** sessionStorage key, only when the technician ticked "stay signed in on this tab". Never localStorage. */
const TAB_TOKEN_KEY = 'porchlight.console.token';

/** The token of the sign-in under way, until the relay welcomed it. */
let signingInWith: { token: string; stay: boolean } | null = null;
/** The token the relay welcomed, kept in memory to sign in again after a lost connection; null once signed out or refused. */
let signedIn: { token: string; stay: boolean } | null = null;
/** Close codes after which signing in again with the same token cannot help: refused, or access withdrawn by IT. */
const FINAL_CLOSES = new Set([4001, 4004]);
/** Trying to get the connection back: since when, which try, and the timer of the next one. */
let reconnecting: { lostAtMs: number; attempt: number; timer?: ReturnType<typeof setTimeout> } | null = null;
/** Known devices are remembered per relay key, as the CLI does. */
let relayId = location.host;
let group: string | undefined;
let allowedScopes: readonly Scope[] = [];
const wire = new SocketWire();
let current: {
  mode: RequestMode;
  ticketId: string;
  requestId?: string;
  sessionId?: string;
  techMsgId: string;
  deviceId: string;
  /** The request, held until the device key checked out. */
  held?: Message<'tech.request'>;
  keyAskId: string;
  device?: TrustedDevice;
  timer: ReturnType<typeof setTimeout>;
} | null = null;

/** The request that just ended: its summary and the user's answer still arrive, checked against the same device. */
let ended: { device: TrustedDevice; requestId: string | undefined } | null = null;

const send = (msg: Message) => wire.send(msg);

/** The user's screen while `view` is granted (screen-view.ts), in the live panel's seam, on this same connection. */
const screen = new ScreenView($('screen-view'), wire);
wire.onBinary((bytes) => screen.onBinary(bytes));

function showSignedOut(): void {
  $('who').textContent = 'Not signed in';
  $('signin').hidden = false;
  $('desk').hidden = true;
  $('signout').hidden = true;
}

function signIn(token: string, otpCode: string, stay: boolean): void {
  if (!reconnecting) clearError();
  signingInWith = { token, stay };
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  wire.socket = socket;
  const otp = /^\d{6}$/.test(otpCode) ? { otp: otpCode } : {};
  socket.addEventListener('open', () => send({ v: 1, type: 'hello', id: newMessageId(), role: 'technician', token, client: 'porchlight-console', ...otp }));
  // One frame at a time, in order: a signature check is asynchronous.
  let queue = Promise.resolve();
  socket.addEventListener('message', (ev) => {
    // Binary frames are data channels (a file's credit acks); text frames are messages.
    if (ev.data instanceof ArrayBuffer) wire.deliverBinary(new Uint8Array(ev.data));
    else queue = queue.then(() => onFrame(String(ev.data)));
  });
  socket.addEventListener('close', (ev) => {
    if (wire.socket !== socket) return;
    wire.socket = null;
    wire.waiters.closeAll();
    if (signedIn && !FINAL_CLOSES.has(ev.code)) return connectionLost();
    // A remembered token the relay refused is forgotten.
    if (signingInWith) sessionStorage.removeItem(TAB_TOKEN_KEY);
    signingInWith = null;
    signedIn = null;
    stopReconnecting();
    if (current) fail('Lost the connection to the relay. Sign in again; the request may still be on the user\'s screen.');
    showSignedOut();
  });
}

/**
 * Signed in, and the connection went (its relay instance died, the network dropped): the relay
 * has ended this technician's requests and sessions on it, so the open one ends here with that
 * reason, and the console signs in again with the token in memory, with backoff. Nothing that
 * was sent is sent again.
 */
function connectionLost(): void {
  if (current) {
    const hadSession = current.sessionId !== undefined;
    fail(`Lost the connection to the relay: the relay ended this ${hadSession ? 'session' : 'request'} (the user's ${hadSession ? 'banner' : 'dialog'} closes). Send a new request once reconnected.`);
    addEvent(`connection to the relay lost: ${hadSession ? 'session' : 'request'} ended`);
    if (hadSession) void sessionEnded('the relay (connection lost)');
  }
  if (!reconnecting) devicesOutOfDate();
  reconnecting ??= { lostAtMs: Date.now(), attempt: 0 };
  const attempt = ++reconnecting.attempt;
  showLink({ kind: 'reconnecting', attempt, lostAtMs: reconnecting.lostAtMs });
  reconnecting.timer = setTimeout(() => {
    if (signedIn && reconnecting) signIn(signedIn.token, '', signedIn.stay);
  }, reconnectDelayMs(attempt, Math.random()));
}

function stopReconnecting(): void {
  clearTimeout(reconnecting?.timer);
  reconnecting = null;
  showLink({ kind: 'connected' });
}

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
  setState('Refused: not the device\'s answer', 'failed');
  finish();
}

/** A terminal state that is a failure: said in words, and the form is free again. */
function fail(words: string): void {
  setState(words, 'failed');
  finish();
}

async function onFrame(text: string): Promise<void> {
  const parsed = parseFrame(text, ACCEPTED_BY.technicianFromRelay);
  if (!parsed.ok) return;
  const msg = parsed.msg;
  wire.waiters.offer(msg);
  let sealed = '';
  // A device-signed frame is shown only once this console verified it (none after a refusal).
  if (isDeviceSignable(msg)) {
    const checkWith = current?.device ? { device: current.device, requestId: current.requestId } : ended;
    if (!checkWith) return;
    const v = await checkDeviceFrame(msg, checkWith.device, checkWith.requestId);
    if (v.kind === 'refused') return refuse(v.detail, msg);
    if (v.kind === 'verified') sealed = ` (device signature verified, key ${v.fingerprint})`;
  }
  screen.onMessage(msg);
  switch (msg.type) {
    case 'device.key':
      return onDeviceKey(msg);
    case 'welcome':
      if (msg.relayKeyFingerprint) relayId = msg.relayKeyFingerprint;
      group = msg.technician?.group;
      $('who').textContent = msg.technician ? `Signed in as ${msg.technician.name} (${msg.technician.group})` : 'Signed in';
      allowedScopes = msg.scopes ?? ['view', 'control', 'admin', 'file-transfer'];
      renderScopeChoices($('scope-choices'), allowedScopes);
      // Signed in: the token stays in memory with the connection (and this tab's sessionStorage if asked), not in the page.
      $<HTMLInputElement>('token').value = '';
      if (signingInWith?.stay) sessionStorage.setItem(TAB_TOKEN_KEY, signingInWith.token);
      signedIn = signingInWith;
      signingInWith = null;
      $('signin').hidden = true;
      $('desk').hidden = false;
      $('signout').hidden = false;
      // Back after a lost connection: what the technician was typing keeps its focus; the device list is fetched again.
      if (reconnecting) {
        const afterMs = Date.now() - reconnecting.lostAtMs;
        stopReconnecting();
        showLink({ kind: 'reconnected', afterMs });
        addEvent(`reconnected to the relay after ${(afterMs / 1000).toFixed(1)} s`);
      } else {
        $<HTMLInputElement>('device').focus();
      }
      askForDevices();
      return;
    case 'devices':
      devicesArrived(msg);
      return;
    case 'session.pending':
      if (!current) return;
      clearTimeout(current.timer);
      current.requestId = msg.requestId;
      showCode(msg.verificationCode);
      setState(`Waiting for the user's decision (until ${new Date(msg.expiresAt).toLocaleTimeString()})`);
      $<HTMLButtonElement>('end').disabled = false;
      addEvent(`request sent to ${msg.deviceId}`);
      if (msg.undocumentedEmergencies?.length) {
        $('reminder').hidden = false;
        $('reminder').textContent = `Emergency sessions still to document (what / why / result): ${msg.undocumentedEmergencies.join(', ')}.`;
      }
      return;
    case 'session.decision': {
      const words = OUTCOME_WORDS[msg.outcome];
      const why = msg.code ? `: ${errorInWords(msg.code, { deviceId: current?.deviceId, group })}` : '';
      setState(`${words}${why}`, msg.granted.length > 0 ? 'ok' : 'failed');
      markDecision(msg.granted, msg.declined);
      addEvent(`decision ${msg.outcome} (${msg.decidedBy}): granted ${msg.granted.join(', ') || 'nothing'}; declined ${msg.declined.join(', ') || 'nothing'}${sealed}`);
      if (current && msg.sessionId) current.sessionId = msg.sessionId;
      if (msg.granted.length === 0) finish();
      return;
    }
    case 'session.started':
      if (!current) return;
      current.sessionId = msg.sessionId;
      setState(`Session live until ${new Date(msg.endsAt).toLocaleTimeString()}`, 'ok');
      addEvent(`session started with ${msg.scopes.join(', ')}${sealed}`);
      sessionStarted(msg, current.ticketId, current.mode);
      return;
    case 'session.scope-update':
      addEvent(`scopes ${msg.change}: ${msg.scopes.join(', ')}; granted now ${msg.granted.join(', ') || 'nothing'}${sealed}`);
      if (msg.change !== 'extended') markDecision(msg.granted, []);
      scopeUpdated(msg);
      return;
    case 'session.user-message':
      addEvent('the user wrote a message');
      userMessage(msg);
      return;
    case 'session.resolution':
      addEvent(`the user answered: ${msg.solved ? 'solved' : 'not solved'}`);
      resolutionArrived(msg);
      return;
    case 'session.file-transfer-result':
      addEvent(`file ${msg.transferId} ${msg.allowed ? 'allowed' : 'refused'}`);
      return;
    case 'session.end':
      setState(`Session ended by ${msg.by}`);
      addEvent(`session ended by ${msg.by}${msg.reason ? `: ${msg.reason}` : ''}`);
      finish();
      void sessionEnded(msg.by === 'technician' ? 'you' : msg.by);
      return;
    case 'session.summary':
      addEvent(`summary: ${msg.summary.durationSec} s, used ${msg.summary.scopesUsed.join(', ') || 'nothing'}${sealed}`);
      summaryArrived(msg);
      return;
    case 'error': {
      const deviceId = current?.deviceId;
      const lastSeen = deviceId ? lastSeenOf(deviceId) : undefined;
      const words = errorInWords(msg.code, { deviceId, group, ...(lastSeen ? { lastSeen } : {}), ...(signingInWith ? { signingIn: true } : {}) });
      if (msg.code === 'agent-offline' || msg.code === 'agent-clock-skew') askForDevices();
      setError(words, `${msg.code}${msg.detail ? `: ${msg.detail}` : ''}`);
      if (msg.code === 'mfa-required') $<HTMLInputElement>('otp').focus();
      addEvent(`error ${msg.code}`);
      // Before the relay took the request, any error is this request's end: never a stuck "Sending ...".
      if (current && (msg.re === current.techMsgId || msg.re === current.keyAskId || current.requestId === undefined)) fail('Not sent: see the message above');
      return;
    }
    default:
      return;
  }
}

function finish(): void {
  screen.stop();
  markUndecided(current?.requestId === undefined ? 'not sent' : 'no decision');
  $<HTMLButtonElement>('end').disabled = true;
  $<HTMLButtonElement>('send').disabled = false;
  if (current) clearTimeout(current.timer);
  ended = current?.device ? { device: current.device, requestId: current.requestId } : null;
  current = null;
}

$('signin').addEventListener('submit', (ev) => {
  ev.preventDefault();
  signIn($<HTMLInputElement>('token').value.trim(), $<HTMLInputElement>('otp').value.trim(), $<HTMLInputElement>('stay').checked);
  // A code is good once: never leave it in the form for a second try.
  $<HTMLInputElement>('otp').value = '';
});

$('signout').addEventListener('click', () => {
  const socket = wire.socket;
  wire.socket = null;
  signedIn = null;
  stopReconnecting();
  if (current) finish();
  sessionStorage.removeItem(TAB_TOKEN_KEY);
  socket?.close(1000, 'signed out');
  showSignedOut();
  $<HTMLInputElement>('token').focus();
});

$('request').addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (current) return;
  ended = null;
  clearError();
  clearFieldErrors();
  const read = readRequestForm($<HTMLFormElement>('request'), approvalToken());
  if (!read.ok) {
    showFieldErrors(read.errors);
    const first = read.errors.keys().next().value as FieldId;
    (first === 'scopes' ? $('scope-choices').querySelector('input') : $(first))?.focus();
    return;
  }
  const msg = read.msg;
  if (!canVerify()) {
    setError('This page cannot check device signatures here (no WebCrypto): open the console over https.');
    return;
  }
  // The request waits for the device key: nothing is sent for a device this console can't check.
  const ask: Message<'tech.device-key'> = { v: 1, type: 'tech.device-key', id: newMessageId(), deviceId: msg.deviceId };
  if (!wire.isOpen) {
    setError(reconnecting ? 'Not connected to the relay right now: the console is reconnecting. Send the request once it says Reconnected.' : 'Not connected to the relay. Sign in again.');
    return;
  }
  send(ask);
  const timer = setTimeout(() => {
    if (current?.techMsgId === msg.id && current.requestId === undefined) fail('No answer from the relay in 20 seconds. Try again; if it keeps happening, tell IT.');
  }, FIRST_ANSWER_TIMEOUT_MS);
  const mode = requestModeOf($<HTMLFormElement>('request'));
  current = { mode, ticketId: msg.ticket.id, techMsgId: msg.id, deviceId: msg.deviceId, held: msg, keyAskId: ask.id, timer };
  $<HTMLButtonElement>('send').disabled = true;
  $('reminder').hidden = true;
  resetSessionTools(mode);
  screen.reset();
  startLivePanel(msg.scopes);
});

bindDevicePanel(send);

$('end').addEventListener('click', () => {
  if (!current) return;
  if (current.sessionId) send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: current.sessionId, by: 'technician', reason: 'ended from the console' });
  else if (current.requestId) send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId: current.requestId });
  addEvent('end requested');
  setState(current.sessionId ? 'Ended by you' : 'Withdrawn by you');
  const hadSession = current.sessionId !== undefined;
  finish();
  if (hadSession) void sessionEnded('you');
});

bindRequestPanel();
bindSessionTools(wire, () => allowedScopes);

// Everything is bound: signing in works from here on (the button was disabled in the page until now).
$<HTMLButtonElement>('signin-button').disabled = false;

// "Stay signed in on this tab": a reload signs in again with the tab's token.
const tabToken = sessionStorage.getItem(TAB_TOKEN_KEY);
if (tabToken) {
  $<HTMLInputElement>('stay').checked = true;
  signIn(tabToken, '', true);
}
