// `porchlight request --at WHEN --window LENGTH` (issue 20): propose a window,
// print the verification code, then the user's answer. An agreed window is
// checked against the device key the CLI trusts, printed (text, and an
// `agreed-window` --json event) and, with --ics FILE, written as a calendar
// invitation for the technician.
import { writeFileSync } from 'node:fs';
import { newMessageId } from '../../protocol/frame.js';
import type { Message } from '../../protocol/messages.js';
import { terminalText } from '../../protocol/text-policy.js';
import type { CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import type { DeviceFrameCheck } from './device-trust.js';
import { icsInvitation } from './ics-invitation.js';
import type { RequestOutput } from './request-output.js';
import type { TechnicianClient } from './technician-client.js';
import { exitForError, exitForRefusal } from './technician-exit.js';

export interface ScheduleRun {
  client: TechnicianClient;
  check: DeviceFrameCheck;
  req: Message<'tech.schedule'>;
  out: RequestOutput;
  ctx: CommandContext;
  icsPath: string | undefined;
}

/** 0 when the user agreed to every proposed scope, 3 to some, 4 declined, 5 expired, 6 blocked. */
export function exitForSchedule(msg: Message<'schedule.decision'>, proposed: readonly string[]): number {
  if (msg.outcome !== 'agreed') return exitForRefusal(msg.outcome);
  const agreed = (msg.agreed?.window.scopes ?? []) as readonly string[];
  return proposed.every((s) => agreed.includes(s)) ? EXIT.ok : EXIT.partial;
}

/** Your local time, for the line the technician reads (the JSON keeps UTC). */
const local = (iso: string) => new Date(iso).toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

export function runSchedule(r: ScheduleRun): Promise<number> {
  const { client, check, req, out, ctx } = r;
  return new Promise((resolve) => {
    let requestId: string | undefined;
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(code);
    };
    const onAbort = () => {
      out.note('interrupted', 'proposal withdrawn: the relay records no answer for it');
      finish(EXIT.other);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    client.onClose(() => {
      if (done) return;
      out.note('disconnected', 'lost the relay: it closed the connection');
      finish(EXIT.other);
    });
    client.onMessage((msg) => {
      if (done) return;
      if (msg.type === 'session.pending' && requestId === undefined) {
        requestId = msg.requestId;
        check.expectRequest(msg.requestId);
        return out.event(msg);
      }
      if (msg.type === 'error' && (msg.re === req.id || requestId === undefined)) {
        out.refusal(msg.code, msg.detail ?? msg.code, 'relay', msg.re);
        return finish(exitForError(msg.code));
      }
      if (msg.type !== 'schedule.decision' || msg.requestId !== requestId) return;
      if (msg.agreed) {
        const v = check.checkAgreedWindow(msg.agreed);
        if (v.kind !== 'verified') {
          out.note('bad-signature', `the agreed window was not trusted: ${v.kind === 'refused' ? v.detail : v.kind}`, { code: 'bad-signature' });
          return finish(EXIT.other);
        }
        out.event(msg, { deviceKeyFingerprint: v.deviceKeyFingerprint, signatureVerified: true });
        const w = msg.agreed.window;
        const ics = r.icsPath === undefined ? {} : { ics: r.icsPath };
        if (r.icsPath !== undefined) {
          writeFileSync(r.icsPath, icsInvitation({
            uid: `${w.windowId}@porchlight`,
            stamp: new Date(w.agreedAt),
            start: new Date(w.startsAt),
            end: new Date(w.endsAt),
            summary: `Remote support: ${w.ticketId} (${w.scopes.join(', ')})`,
            description: `${w.technicianName} may connect to ${w.deviceId} for ticket ${w.ticketId}: the user agreed in advance (window ${w.windowId}).`,
          }));
        }
        const text = `agreed window: ${local(w.startsAt)} to ${local(w.endsAt)} (${w.startsAt} to ${w.endsAt}) for ${w.ticketId} [${w.scopes.join(', ')}], window ${w.windowId}${r.icsPath ? `\ncalendar invitation written to ${r.icsPath}` : ''}`;
        out.line('agreed-window', terminalText(text, 'multiline'), { windowId: w.windowId, ticketId: w.ticketId, scopes: w.scopes, startsAt: w.startsAt, endsAt: w.endsAt, ...ics });
      } else {
        out.event(msg);
      }
      finish(exitForSchedule(msg, req.scopes));
    });
    client.send(req);
  });
}

export function scheduleMessage(base: Omit<Message<'tech.schedule'>, 'v' | 'type' | 'id'>): Record<string, unknown> {
  return { v: 1, type: 'tech.schedule', id: newMessageId(), ...base };
}
