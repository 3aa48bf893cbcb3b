// The anti-clickjacking arm delay, driven by a hand-cranked clock.
import { describe, expect, it } from 'vitest';
import { ArmDelay } from '../../renderer/common/arm-delay.js';
import type { ArmClock } from '../../renderer/common/arm-delay.js';

class ManualClock implements ArmClock {
  now = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.#timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= this.now) {
        this.#timers.delete(id);
        t.fn();
      }
    }
  }
}

function setup(requireContentSeen = false) {
  const clock = new ManualClock();
  const changes: boolean[] = [];
  const arm = new ArmDelay({ delayMs: 1000, clock, onChange: (a) => changes.push(a), requireContentSeen });
  return { clock, arm, changes };
}

describe('ArmDelay', () => {
  it('arms only after a full second of focus and visibility', () => {
    const { clock, arm, changes } = setup();
    arm.update({ focused: true, visible: true });
    clock.advance(999);
    expect(arm.armed).toBe(false);
    clock.advance(1);
    expect(arm.armed).toBe(true);
    expect(changes).toEqual([true]);
  });

  it('never arms while hidden or unfocused, however long it waits', () => {
    const { clock, arm } = setup();
    arm.update({ focused: true, visible: false });
    clock.advance(10_000);
    arm.update({ focused: false, visible: true });
    clock.advance(10_000);
    expect(arm.armed).toBe(false);
  });

  it('disarms on blur and needs another full second after focus returns', () => {
    const { clock, arm, changes } = setup();
    arm.update({ focused: true, visible: true });
    clock.advance(1000);
    arm.update({ focused: false, visible: true });
    expect(arm.armed).toBe(false);
    arm.update({ focused: true, visible: true });
    clock.advance(999);
    expect(arm.armed).toBe(false);
    clock.advance(1);
    expect(arm.armed).toBe(true);
    expect(changes).toEqual([true, false, true]);
  });

  it('a blur in the middle of the delay restarts it from zero', () => {
    const { clock, arm } = setup();
    arm.update({ focused: true, visible: true });
    clock.advance(900);
    arm.update({ focused: false, visible: true });
    arm.update({ focused: true, visible: true });
    clock.advance(900);
    expect(arm.armed).toBe(false);
    clock.advance(100);
    expect(arm.armed).toBe(true);
  });

  it('repeated focus reports do not shorten the wait', () => {
    const { clock, arm } = setup();
    arm.update({ focused: true, visible: true });
    clock.advance(500);
    arm.update({ focused: true, visible: true });
    clock.advance(500);
    expect(arm.armed).toBe(true);
  });

  it('restart (a new prompt) disarms and waits the full delay again', () => {
    const { clock, arm } = setup();
    arm.update({ focused: true, visible: true });
    clock.advance(5000);
    arm.restart();
    expect(arm.armed).toBe(false);
    clock.advance(999);
    expect(arm.armed).toBe(false);
    clock.advance(1);
    expect(arm.armed).toBe(true);
  });

  it('with requireContentSeen, waits for the content to be in view, then the full delay', () => {
    const { clock, arm } = setup(true);
    arm.update({ focused: true, visible: true });
    clock.advance(10_000);
    expect(arm.armed).toBe(false);
    arm.contentSeen(true);
    clock.advance(999);
    expect(arm.armed).toBe(false);
    clock.advance(1);
    expect(arm.armed).toBe(true);
  });

  it('content leaving view before the delay ends restarts the wait', () => {
    const { clock, arm } = setup(true);
    arm.update({ focused: true, visible: true });
    arm.contentSeen(true);
    clock.advance(900);
    arm.contentSeen(false);
    arm.contentSeen(true);
    clock.advance(900);
    expect(arm.armed).toBe(false);
    clock.advance(100);
    expect(arm.armed).toBe(true);
  });

  it('restart forgets that the content was seen', () => {
    const { clock, arm } = setup(true);
    arm.update({ focused: true, visible: true });
    arm.contentSeen(true);
    clock.advance(1000);
    arm.restart();
    clock.advance(5000);
    expect(arm.armed).toBe(false);
  });
});
