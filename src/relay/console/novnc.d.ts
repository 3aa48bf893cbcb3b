// The part of noVNC's RFB (@novnc/novnc 1.7, core/rfb.js; the package ships no
// types) that the console uses. See docs/API.md in the package.
declare module '@novnc/novnc' {
  export default class RFB extends EventTarget {
    // eslint-disable-next-line @typescript-eslint/consistent-type-imports -- an ambient module declaration cannot import a relative path
    constructor(target: HTMLElement, urlOrChannel: import('./screen-channel-socket.js').RawChannel, options?: { shared?: boolean });
    viewOnly: boolean;
    scaleViewport: boolean;
    clipViewport: boolean;
    resizeSession: boolean;
    focusOnClick: boolean;
    showDotCursor: boolean;
    background: string;
    disconnect(): void;
    /** Take the keyboard off the remote screen (its canvas loses focus). */
    blur(): void;
  }
}
