// Ctrl/Cmd +, - and 0 zoom every window (Electron gives a menu-less window no
// zoom keys on Windows and Linux). The mapping from a key press to a zoom level
// is a pure function under unit test; attachZoom wires it to a webContents.

/** Chromium's own zoom steps, as factors. */
export const ZOOM_STEPS = [0.5, 0.67, 0.75, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3] as const;

/** The part of Electron's `before-input-event` Input used here. */
export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
}

/** The new zoom factor for this key press, or undefined when it is not a zoom key. */
export function zoomForInput(input: KeyInput, current: number, platform: NodeJS.Platform): number | undefined {
  if (input.type !== 'keyDown' || input.alt) return undefined;
  const modifier = platform === 'darwin' ? input.meta : input.control;
  if (!modifier) return undefined;
  switch (input.key) {
    case '+':
    case '=':
      return ZOOM_STEPS.find((step) => step > current + 0.001) ?? ZOOM_STEPS[ZOOM_STEPS.length - 1];
    case '-':
    case '_':
      return [...ZOOM_STEPS].reverse().find((step) => step < current - 0.001) ?? ZOOM_STEPS[0];
    case '0':
      return 1;
    default:
      return undefined;
  }
}

/** The part of Electron's WebContents used here. */
export interface ZoomableContents {
  on(event: 'before-input-event', listener: (event: { preventDefault(): void }, input: KeyInput) => void): unknown;
  getZoomFactor(): number;
  setZoomFactor(factor: number): void;
}

/** Handle the zoom keys in one window; `onZoom` lets the window refit itself (banner, consent). */
export function attachZoom(contents: ZoomableContents, platform: NodeJS.Platform, onZoom: (factor: number) => void = () => {}): void {
  contents.on('before-input-event', (event, input) => {
    const next = zoomForInput(input, contents.getZoomFactor(), platform);
    if (next === undefined) return;
    event.preventDefault();
    contents.setZoomFactor(next);
    onZoom(next);
  });
}
