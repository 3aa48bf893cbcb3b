// Keyboard rules of the consent dialog: Enter never accepts, held keys (auto
// repeat) do nothing, Escape declines. A held Space or mouse button that
// started before Allow was armed cannot accept when released either.

export interface KeyboardGuardOptions {
  allow: HTMLElement;
  isArmed(): boolean;
  onEscape(): void;
}

export interface KeyboardGuard {
  /**
   * Call from Allow's click handler: false when the press that produced this
   * click began while Allow was disarmed. Clicks with no press before them
   * (assistive technology) pass. Each press is judged once.
   */
  takePress(): boolean;
  dispose(): void;
}

export function guardKeyboard(doc: Document, opts: KeyboardGuardOptions): KeyboardGuard {
  let pressStartedDisarmed = false;
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.repeat) {
      e.preventDefault();
      e.stopPropagation();
      return;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      opts.onEscape();
      return;
    }
    if (e.key === 'Enter' && e.target === opts.allow) {
      // Buttons activate on Enter keydown: stop it so Enter can never accept.
      e.preventDefault();
      return;
    }
    if (e.key === ' ' && e.target === opts.allow) pressStartedDisarmed = !opts.isArmed();
  };
  const onPointerDown = (e: PointerEvent) => {
    if (e.target instanceof Node && opts.allow.contains(e.target)) pressStartedDisarmed = !opts.isArmed();
  };
  doc.addEventListener('keydown', onKeyDown, true);
  doc.addEventListener('pointerdown', onPointerDown, true);
  return {
    takePress() {
      const ok = !pressStartedDisarmed;
      pressStartedDisarmed = false;
      return ok;
    },
    dispose() {
      doc.removeEventListener('keydown', onKeyDown, true);
      doc.removeEventListener('pointerdown', onPointerDown, true);
    },
  };
}
