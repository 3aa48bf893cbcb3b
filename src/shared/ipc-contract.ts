// The one typed contract between the Electron main process, the per-window
// preloads and the renderer pages. Every channel names its window, its
// direction and the zod schema of its payload; main validates what it receives
// (after its sender checks), preloads forward only these channels, and pages
// validate what they receive. Browser-safe: zod only, no DOM or Node types.
import { z } from 'zod';
import { identifier, ticketUrl } from '../protocol/primitives.js';
import { bannerActionSchema, bannerViewSchema, consentAnswerSchema, consentViewSchema, resolutionAnswerSchema, summaryViewSchema } from './view-models.js';
import type { BannerAction, ConsentAnswer, ResolutionAnswer } from './view-models.js';
import { settingsChangeSchema, settingsResultSchema, settingsViewSchema, type SettingsChange } from './settings-view.js';

export const IPC_WINDOWS = ['consent', 'banner', 'summary', 'settings'] as const;
export type IpcWindow = (typeof IPC_WINDOWS)[number];

/** `to-renderer`: main -> page (webContents.send). `to-main`: page -> main (ipcRenderer.send). */
export type IpcDirection = 'to-renderer' | 'to-main';

/** The banner's two sizes; main resizes the window, the page re-lays itself out. */
export const bannerSizeSchema = z.enum(['compact', 'expanded']);
export type BannerSize = z.infer<typeof bannerSizeSchema>;

/** The banner's content height in CSS pixels, as it measured it: main fits the window to it within limits. */
export const bannerContentHeightSchema = z.number().int().min(1).max(4000);

/** A new count of requests waiting behind the one on screen. */
export const consentQueuedSchema = z.strictObject({ promptId: identifier, queued: z.number().int().min(0).max(100) });

/** Plain text the summary page asks main to put on the clipboard (500 narration lines of 1000 chars fit). */
export const clipboardTextSchema = z.string().min(1).max(1_000_000);

/** A page has loaded its script and wants its data; no payload. */
const noPayload = z.undefined();

interface ChannelSpec {
  readonly window: IpcWindow;
  readonly direction: IpcDirection;
  readonly schema: z.ZodType;
}

/** Every IPC channel. Nothing else may cross the bridge. */
export const IPC = {
  /** consent page loaded; main answers with `consent:show`. */
  'consent:ready': { window: 'consent', direction: 'to-main', schema: noPayload },
  /** The prompt to show (also replaces the current one when the queue advances). */
  'consent:show': { window: 'consent', direction: 'to-renderer', schema: consentViewSchema },
  /** The user's per-scope decision, or `dismissed` (Escape, countdown, close). */
  'consent:answer': { window: 'consent', direction: 'to-main', schema: consentAnswerSchema },
  /** Open the ticket link in the system browser; main opens it only if it equals the shown ticket's URL. */
  'consent:open-ticket': { window: 'consent', direction: 'to-main', schema: ticketUrl },
  /** The queue behind the prompt on screen grew or shrank (the page ignores other prompts' counts). */
  'consent:queued': { window: 'consent', direction: 'to-renderer', schema: consentQueuedSchema },

  'banner:ready': { window: 'banner', direction: 'to-main', schema: noPayload },
  /** Show or refresh the live-session bar. */
  'banner:update': { window: 'banner', direction: 'to-renderer', schema: bannerViewSchema },
  /** Revoke one scope or end the session. */
  'banner:action': { window: 'banner', direction: 'to-main', schema: bannerActionSchema },
  /** The user toggled between the slim bar and the details view. */
  'banner:resize': { window: 'banner', direction: 'to-main', schema: bannerSizeSchema },
  /** The banner measured its content (after every render and resize); main resizes within banner-size.ts limits. */
  'banner:content-height': { window: 'banner', direction: 'to-main', schema: bannerContentHeightSchema },

  'summary:ready': { window: 'summary', direction: 'to-main', schema: noPayload },
  'summary:show': { window: 'summary', direction: 'to-renderer', schema: summaryViewSchema },
  /** "Copy details": main writes this text to the clipboard. */
  'summary:copy': { window: 'summary', direction: 'to-main', schema: clipboardTextSchema },
  /** The user's answer to "Is your problem solved?"; main passes it on only for the summary on screen. */
  'summary:resolution': { window: 'summary', direction: 'to-main', schema: resolutionAnswerSchema },
  /** The user closed the summary. */
  'summary:close': { window: 'summary', direction: 'to-main', schema: noPayload },

  'settings:ready': { window: 'settings', direction: 'to-main', schema: noPayload },
  /** Every row with its effective value, source and lock (also sent again when policy changed). */
  'settings:show': { window: 'settings', direction: 'to-renderer', schema: settingsViewSchema },
  /** Change one preference; main re-validates it and answers with `settings:result`. */
  'settings:change': { window: 'settings', direction: 'to-main', schema: settingsChangeSchema },
  'settings:result': { window: 'settings', direction: 'to-renderer', schema: settingsResultSchema },
  'settings:close': { window: 'settings', direction: 'to-main', schema: noPayload },
} as const satisfies Record<string, ChannelSpec>;

export type IpcChannel = keyof typeof IPC;
export type IpcPayload<C extends IpcChannel> = z.infer<(typeof IPC)[C]['schema']>;

/** Channels of one window in one direction, e.g. what the banner page may send. */
export type ChannelsOf<W extends IpcWindow, D extends IpcDirection> = {
  [C in IpcChannel]: (typeof IPC)[C]['window'] extends W ? ((typeof IPC)[C]['direction'] extends D ? C : never) : never;
}[IpcChannel];

export const IPC_CHANNELS = Object.keys(IPC) as readonly IpcChannel[];

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.hasOwn(IPC, value);
}

export type IpcErrorCode = 'unknown-channel' | 'wrong-window' | 'wrong-direction' | 'bad-payload';

export type IpcParseResult<C extends IpcChannel> =
  | { ok: true; channel: C; payload: IpcPayload<C> }
  | { ok: false; code: IpcErrorCode; detail: string };

/**
 * Validate one message crossing the bridge. `expect` says where we are: main
 * checks `{window, direction: 'to-main'}` for the window that sent it; a page
 * checks `{window: <itself>, direction: 'to-renderer'}`. Never throws.
 */
export function parseIpcMessage(
  channel: unknown,
  payload: unknown,
  expect: { window: IpcWindow; direction: IpcDirection },
): IpcParseResult<IpcChannel> {
  if (!isIpcChannel(channel)) return { ok: false, code: 'unknown-channel', detail: `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` };
  const spec: ChannelSpec = IPC[channel];
  if (spec.window !== expect.window) return { ok: false, code: 'wrong-window', detail: `${channel} belongs to the ${spec.window} window` };
  if (spec.direction !== expect.direction) return { ok: false, code: 'wrong-direction', detail: `${channel} goes ${spec.direction}` };
  const parsed = spec.schema.safeParse(payload);
  if (!parsed.success) return { ok: false, code: 'bad-payload', detail: `${channel}: ${z.prettifyError(parsed.error).slice(0, 500)}` };
  return { ok: true, channel, payload: parsed.data as IpcPayload<IpcChannel> };
}

/** Typed form for a known channel: `parseIpcPayload('consent:show', x)`. */
export function parseIpcPayload<C extends IpcChannel>(
  channel: C,
  payload: unknown,
): { ok: true; payload: IpcPayload<C> } | { ok: false; code: 'bad-payload'; detail: string } {
  const parsed = (IPC[channel].schema as z.ZodType).safeParse(payload);
  if (!parsed.success) return { ok: false, code: 'bad-payload', detail: `${channel}: ${z.prettifyError(parsed.error).slice(0, 500)}` };
  return { ok: true, payload: parsed.data as IpcPayload<C> };
}

// ---- What each page sees on `window.porchlight` (one interface per window). ----
// Listener arguments are `unknown` on purpose: the page must parse them with
// parseIpcPayload before use, whatever main or the preload claim to send.
// Each `on*` registers one listener and returns a function that removes it.

export interface ConsentBridge {
  /** The page is ready for `consent:show`. */
  ready(): void;
  onShow(listener: (view: unknown) => void): () => void;
  onQueued(listener: (update: unknown) => void): () => void;
  answer(answer: ConsentAnswer): void;
  openTicket(url: string): void;
}

export interface BannerBridge {
  ready(): void;
  onUpdate(listener: (view: unknown) => void): () => void;
  action(action: BannerAction): void;
  resize(size: BannerSize): void;
  /** The content height in CSS px, so main can fit the window to it. */
  reportHeight(heightPx: number): void;
}

export interface SummaryBridge {
  ready(): void;
  onShow(listener: (view: unknown) => void): () => void;
  copy(text: string): void;
  resolve(answer: ResolutionAnswer): void;
  close(): void;
}

export interface SettingsBridge {
  ready(): void;
  onShow(listener: (view: unknown) => void): () => void;
  change(change: SettingsChange): void;
  onResult(listener: (result: unknown) => void): () => void;
  close(): void;
}

export interface BridgeOf {
  consent: ConsentBridge;
  banner: BannerBridge;
  summary: SummaryBridge;
  settings: SettingsBridge;
}

/** Which channel each bridge method uses, so preloads and tests map them the same way. */
export const BRIDGE_CHANNELS = {
  consent: { ready: 'consent:ready', onShow: 'consent:show', onQueued: 'consent:queued', answer: 'consent:answer', openTicket: 'consent:open-ticket' },
  banner: { ready: 'banner:ready', onUpdate: 'banner:update', action: 'banner:action', resize: 'banner:resize', reportHeight: 'banner:content-height' },
  summary: { ready: 'summary:ready', onShow: 'summary:show', copy: 'summary:copy', resolve: 'summary:resolution', close: 'summary:close' },
  settings: { ready: 'settings:ready', onShow: 'settings:show', change: 'settings:change', onResult: 'settings:result', close: 'settings:close' },
} as const satisfies { [W in IpcWindow]: Record<keyof BridgeOf[W], IpcChannel> };

/** The global name preloads expose with contextBridge.exposeInMainWorld. */
export const BRIDGE_GLOBAL = 'porchlight';

/** What a preload (or a test harness) gives createBridge: plain send/subscribe on contract channels. */
export interface BridgeTransport {
  send(channel: IpcChannel, payload: unknown): void;
  /** Subscribe to one main -> page channel; returns a function that unsubscribes. */
  on(channel: IpcChannel, listener: (payload: unknown) => void): () => void;
}

/**
 * Build the object a window's preload exposes as `window.porchlight`, from
 * BRIDGE_CHANNELS: only that window's methods, outgoing payloads checked
 * against the contract (invalid ones are dropped, never sent), incoming ones
 * handed to the page as `unknown` for it to parse. Preload usage:
 *   contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createBridge('consent', {
 *     send: (c, p) => ipcRenderer.send(c, p),
 *     on: (c, l) => { const h = (_e, p) => l(p); ipcRenderer.on(c, h); return () => ipcRenderer.removeListener(c, h); },
 *   }));
 */
export function createBridge<W extends IpcWindow>(window: W, transport: BridgeTransport): BridgeOf[W] {
  const bridge: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(BRIDGE_CHANNELS[window]) as [string, IpcChannel][]) {
    const spec: ChannelSpec = IPC[channel];
    bridge[method] =
      spec.direction === 'to-renderer'
        ? (listener: (payload: unknown) => void) => transport.on(channel, (payload) => listener(payload))
        : (payload?: unknown) => {
            const parsed = spec.schema.safeParse(payload);
            if (parsed.success) transport.send(channel, parsed.data);
          };
  }
  return Object.freeze(bridge) as unknown as BridgeOf[W];
}
