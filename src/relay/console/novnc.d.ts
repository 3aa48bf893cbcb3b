// The part of noVNC's RFB (@novnc/novnc 1.7, core/rfb.js; the package ships no
// types) that the console uses. See docs/API.md in the package.
declare module '@novnc/novnc' {
  /** What noVNC's Websock.attach needs of a channel in place of a WebSocket (core/websock.js). */
  export interface RawChannel {
    binaryType: string;
    protocol: string;
    readyState: number;
    onopen: ((ev: Event) => void) | null;
    onmessage: ((ev: { data: ArrayBuffer }) => void) | null;
    onclose: ((ev: CloseEvent) => void) | null;
    onerror: ((ev: Event) => void) | null;
    send(data: Uint8Array): void;
    close(): void;
  }

  export default class RFB extends EventTarget {
    constructor(target: HTMLElement, urlOrChannel: RawChannel, options?: { shared?: boolean });
    viewOnly: boolean;
    scaleViewport: boolean;
    clipViewport: boolean;
    resizeSession: boolean;
    focusOnClick: boolean;
    showDotCursor: boolean;
    background: string;
    disconnect(): void;
  }
}
