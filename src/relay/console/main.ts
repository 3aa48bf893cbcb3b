// The technician console in the browser: same protocol and auth as the CLI.
// Every string from the network is set with textContent, never as HTML.
import { encodeFrame, newMessageId, parseFrame } from '../../protocol/frame.js';
import { ACCEPTED_BY, type Message } from '../../protocol/messages.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let ws: WebSocket | null = null;
let current: { requestId?: string; sessionId?: string; techMsgId: string } | null = null;

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
  ws.addEventListener('message', (ev) => onFrame(String(ev.data)));
  ws.addEventListener('close', () => {
    $('who').textContent = 'Not signed in';
    show('signin', true);
    show('request', false);
    $<HTMLButtonElement>('end').disabled = true;
  });
}

function onFrame(text: string): void {
  const parsed = parseFrame(text, ACCEPTED_BY.technicianFromRelay);
  if (!parsed.ok) return;
  const msg = parsed.msg;
  switch (msg.type) {
    case 'welcome':
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
      addEvent(`decision ${msg.outcome} (${msg.decidedBy}): granted ${msg.granted.join(', ') || 'nothing'}; declined ${msg.declined.join(', ') || 'nothing'}`);
      if (current && msg.sessionId) current.sessionId = msg.sessionId;
      if (msg.granted.length === 0) finish();
      return;
    case 'session.started':
      if (current) current.sessionId = msg.sessionId;
      $('state').textContent = `Session live until ${new Date(msg.endsAt).toLocaleTimeString()}`;
      addEvent(`session started with ${msg.scopes.join(', ')}`);
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
      if (current && msg.re === current.techMsgId) finish();
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
  try {
    send(msg);
  } catch (err) {
    setError(err instanceof Error ? err.message : String(err));
    return;
  }
  current = { techMsgId: msg.id };
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
