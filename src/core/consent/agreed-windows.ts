// The windows this device's user agreed to in advance (issue 20), kept in a
// file in the agent's data dir so they outlive a restart. Each is parsed with
// zod and its device signature checked on load: a hand-edited or foreign
// window is dropped, never honoured. Windows that are over are dropped too.
// Bounded: past MAX_AGREED_WINDOWS a new one is refused (the user can cancel one).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { signedAgreedWindowSchema, type AgreedWindow, type SignedAgreedWindow } from '../../protocol/messages.js';
import type { Scope } from '../../protocol/scopes.js';

export const MAX_AGREED_WINDOWS = 20;
export const AGREED_WINDOWS_FILE = 'agreed-windows.json';
const fileSchema = z.strictObject({ v: z.literal(1), windows: z.array(z.unknown()).max(MAX_AGREED_WINDOWS) });

export interface AgreedWindowsOptions {
  /** The file; absent keeps them in memory only (tests of the core alone). */
  path?: string;
  deviceId: string;
  /** Whether the device key signed this window (the same check the relay makes). */
  verify: (signed: SignedAgreedWindow) => boolean;
}

export class AgreedWindows {
  private readonly windows = new Map<string, SignedAgreedWindow>();
  /** Windows in the file that failed to parse or verify at load (the caller audits the count). */
  readonly refusedAtLoad: number = 0;

  constructor(private readonly o: AgreedWindowsOptions) {
    if (o.path === undefined) return;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(o.path, 'utf8'));
    } catch {
      return; // none yet, or unreadable: no window is honoured
    }
    const file = fileSchema.safeParse(raw);
    if (!file.success) {
      this.refusedAtLoad = 1;
      return;
    }
    let refused = 0;
    for (const entry of file.data.windows) {
      const w = signedAgreedWindowSchema.safeParse(entry);
      const ours = w.success && w.data.window.deviceId === o.deviceId && o.verify(w.data);
      if (ours) this.windows.set(w.data.window.windowId, w.data);
      else refused++;
    }
    this.refusedAtLoad = refused;
  }

  /** The windows not yet over, soonest first; over ones are dropped (and the file rewritten). */
  list(now: number): AgreedWindow[] {
    let dropped = false;
    for (const [id, w] of this.windows) {
      if (Date.parse(w.window.endsAt) <= now) {
        this.windows.delete(id);
        dropped = true;
      }
    }
    if (dropped) this.save();
    const all = [...this.windows.values()].map((w) => w.window);
    return all.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  }

  /** False when the store is full. */
  add(signed: SignedAgreedWindow, now: number): boolean {
    if (this.list(now).length >= MAX_AGREED_WINDOWS) return false;
    this.windows.set(signed.window.windowId, signed);
    this.save();
    return true;
  }

  /** Take one out (the user cancelled it); undefined when there is none with that id (any more). */
  remove(windowId: string, now: number): AgreedWindow | undefined {
    const w = this.list(now).find((x) => x.windowId === windowId);
    if (!w) return undefined;
    this.windows.delete(windowId);
    this.save();
    return w;
  }

  /** The window covering a request now: same technician and ticket, at most its scopes, started, not over. */
  covering(technicianId: string, ticketId: string, scopes: readonly Scope[], now: number): AgreedWindow | undefined {
    return this.list(now).find(
      (w) =>
        w.technicianId === technicianId &&
        w.ticketId === ticketId &&
        Date.parse(w.startsAt) <= now &&
        now < Date.parse(w.endsAt) &&
        scopes.every((s) => w.scopes.includes(s)),
    );
  }

  /** When the next window ends (to drop it and refresh the tray then). */
  nextEnd(now: number): number | undefined {
    const ends = this.list(now).map((w) => Date.parse(w.endsAt));
    return ends.length === 0 ? undefined : Math.min(...ends);
  }

  private save(): void {
    if (this.o.path === undefined) return;
    const tmp = `${this.o.path}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ v: 1, windows: [...this.windows.values()] }), { mode: 0o600 });
      renameSync(tmp, this.o.path);
    } catch {
      // A full disk: the window holds for this run; the audit log has the agreement regardless.
    }
  }
}
