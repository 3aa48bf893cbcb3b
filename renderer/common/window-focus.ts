// Feeds an ArmDelay from the real window: focus, blur and visibility changes.
import type { ArmDelay } from './arm-delay.js';

export function trackWindowFocus(arm: ArmDelay, win: Window = window): () => void {
  const report = () => arm.update({ focused: win.document.hasFocus(), visible: win.document.visibilityState === 'visible' });
  const blur = () => arm.update({ focused: false, visible: win.document.visibilityState === 'visible' });
  win.addEventListener('focus', report);
  win.addEventListener('blur', blur);
  win.document.addEventListener('visibilitychange', report);
  report();
  return () => {
    win.removeEventListener('focus', report);
    win.removeEventListener('blur', blur);
    win.document.removeEventListener('visibilitychange', report);
  };
}
