// The user's screen in the live panel, with noVNC over the session's screen
// channel (screen-channel-socket.ts). It follows the session as the CLI's
// --screen-port does: open while `view` is granted, closed when view goes or
// the session ends. Input is off (RFB.viewOnly) until `control` is granted,
// and the panel says in words which it is. This is for the technician's
// clarity only: the agent filters input itself whatever the console does.
import RFB from '@novnc/novnc';
import { parseChannelFrame } from '../../protocol/channel-frame.js';
import type { Message } from '../../protocol/messages.js';
import { ScreenChannelSocket, type ChannelWire } from './screen-channel-socket.js';

const MODE_WORDS = {
  view: { state: 'Viewing', hint: 'Your mouse and keyboard do not reach the device.' },
  control: {
    state: 'Controlling mouse and keyboard',
    hint: 'Click the screen, then type: your mouse and keyboard reach the user\'s computer. F8 gives the keyboard back to this page.',
  },
} as const;

type CloseReason = 'channel' | 'revoked' | 'ended';

interface Live {
  socket: ScreenChannelSocket;
  rfb: RFB;
  host: HTMLElement;
  connected: boolean;
  fit: () => void;
}

/** The key that takes the keyboard back from the remote screen (Tab and Escape go to the user's computer). */
const RELEASE_KEY = 'F8';

/** The last control before `el` that takes focus: where the keyboard goes when it leaves the screen. */
function focusBefore(el: HTMLElement): void {
  const focusable = document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [tabindex="0"]');
  const before = [...focusable].filter(
    (x) => x.getClientRects().length > 0 && !x.matches(':disabled') && x.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING,
  );
  before.at(-1)?.focus();
}

/** Smallest and largest screen box, in CSS pixels. */
const SCREEN_HEIGHT = { min: 192, max: 720 } as const;

/**
 * The screen box ends above the bottom of the window when it starts inside it
 * (at a help desk's 1280x800 nothing below it needs scrolling to); lower down
 * (a narrow window, one column) it takes 60 % of the window.
 */
function fitToWindow(host: HTMLElement): void {
  const top = host.getBoundingClientRect().top + scrollY;
  const room = top < innerHeight ? innerHeight - top - 24 : innerHeight * 0.6;
  host.style.height = `${Math.round(Math.min(SCREEN_HEIGHT.max, Math.max(SCREEN_HEIGHT.min, room)))}px`;
}

export class ScreenView {
  private sessionId: string | undefined;
  private granted: ReadonlySet<string> = new Set();
  private live: Live | undefined;
  private nextChannel = 1;
  /** Why the screen last closed, while it stays closed. */
  private closedFor: CloseReason | undefined;
  private readonly status: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly again: HTMLButtonElement;

  /** `box`: the live panel's (empty, hidden) screen container. */
  constructor(
    private readonly box: HTMLElement,
    private readonly wire: ChannelWire,
  ) {
    const head = document.createElement('div');
    head.className = 'screen-head';
    this.status = document.createElement('p');
    this.status.className = 'screen-status';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.again = document.createElement('button');
    this.again.type = 'button';
    this.again.textContent = 'Show the screen again';
    this.again.hidden = true;
    this.again.addEventListener('click', () => this.open());
    head.append(this.status, this.again);
    this.hint = document.createElement('p');
    this.hint.className = 'hint screen-hint';
    box.classList.add('screen');
    box.setAttribute('aria-label', 'The user\'s screen');
    box.replaceChildren(head, this.hint);
  }

  /** Every message from the relay the console accepted (a device-signed one only once verified). */
  onMessage(msg: Message): void {
    switch (msg.type) {
      case 'session.started':
        return this.follow(msg.sessionId, msg.scopes);
      case 'session.scope-update':
        if (msg.sessionId === this.sessionId) this.follow(msg.sessionId, msg.granted);
        return;
      case 'channel.opened':
        if (this.isMine(msg)) this.live!.socket.opened();
        return;
      case 'channel.close':
        if (this.isMine(msg)) this.close(`Screen closed${msg.detail ? `: ${msg.detail}` : ''}`, 'channel');
        return;
      case 'session.end':
        if (msg.sessionId === this.sessionId) this.stop();
        return;
      default:
        return;
    }
  }

  /** A binary frame from the relay: this session's open channel only. */
  onBinary(bytes: Uint8Array): void {
    const live = this.live;
    const parsed = parseChannelFrame(bytes);
    if (!live || !parsed.ok || parsed.frame.sessionId !== live.socket.sessionId || parsed.frame.channel !== live.socket.channel) return;
    live.socket.receive(parsed.frame);
  }

  /** The request is over (ended, refused, signed out): the screen goes and the panel says so. */
  stop(): void {
    if (this.sessionId === undefined) return;
    this.sessionId = undefined;
    this.granted = new Set();
    this.close('Screen closed: the session ended', 'ended');
  }

  private follow(sessionId: string, granted: readonly string[]): void {
    const before = this.granted;
    this.sessionId = sessionId;
    this.granted = new Set(granted);
    if (!this.granted.has('view')) {
      if (before.has('view')) this.close('Screen closed: the user stopped sharing it (view revoked)', 'revoked');
      return;
    }
    if (!this.live) return this.open();
    this.applyMode();
  }

  private open(): void {
    if (this.live || this.sessionId === undefined) return;
    const host = document.createElement('div');
    host.className = 'screen-host';
    this.box.append(host);
    this.box.hidden = false;
    this.again.hidden = true;
    this.closedFor = undefined;
    const socket = new ScreenChannelSocket(this.wire, this.sessionId, this.nextChannel++, (why) => this.close(`Screen closed: ${why}`, 'channel'));
    const rfb = new RFB(host, socket, { shared: true });
    rfb.scaleViewport = true;
    rfb.resizeSession = false;
    // Keyboard-first: noVNC keeps every key while its canvas has focus, so one key brings focus back to the page.
    host.addEventListener(
      'keydown',
      (e) => {
        if (e.key !== RELEASE_KEY) return;
        e.preventDefault();
        e.stopPropagation();
        rfb.blur();
        focusBefore(this.box);
      },
      { capture: true },
    );
    const fit = () => fitToWindow(host);
    const live: Live = { socket, rfb, host, connected: false, fit };
    this.live = live;
    fit();
    addEventListener('resize', fit);
    rfb.addEventListener('connect', () => {
      live.connected = true;
      this.applyMode();
    });
    rfb.addEventListener('disconnect', () => {
      if (this.live === live) this.close('Screen closed: the connection to the user\'s screen ended', 'channel');
    });
    this.applyMode();
  }

  /** View-only unless `control` is granted; the words follow. */
  private applyMode(): void {
    const live = this.live;
    if (!live) return;
    const mode = this.granted.has('control') ? 'control' : 'view';
    live.rfb.viewOnly = mode === 'view';
    this.box.dataset.mode = mode;
    this.status.textContent = live.connected ? MODE_WORDS[mode].state : 'Connecting to the user\'s screen ...';
    this.hint.textContent = live.connected ? MODE_WORDS[mode].hint : '';
    live.fit();
  }

  /**
   * The canvas goes at once; the words stay. The first of "view revoked" and
   * "session ended" is the one said (revoking the last scope ends the session
   * too); a channel that just closed can be opened again while view lasts.
   */
  private close(words: string, why: CloseReason): void {
    const live = this.live;
    this.live = undefined;
    if (live) {
      live.socket.closedByPeer(words);
      live.rfb.disconnect();
      live.host.remove();
      removeEventListener('resize', live.fit);
    } else if (this.box.hidden || this.closedFor === 'revoked' || this.closedFor === 'ended') {
      return;
    }
    this.closedFor = why;
    delete this.box.dataset.mode;
    this.status.textContent = words;
    this.hint.textContent = '';
    this.again.hidden = !(why === 'channel' && this.granted.has('view') && this.sessionId !== undefined);
  }

  /** A new request: nothing of the previous one's screen stays. */
  reset(): void {
    this.stop();
    this.box.hidden = true;
    this.closedFor = undefined;
    this.status.textContent = '';
    this.again.hidden = true;
  }

  private isMine(msg: { sessionId: string; channel: number }): boolean {
    return this.live !== undefined && msg.sessionId === this.live.socket.sessionId && msg.channel === this.live.socket.channel;
  }
}
