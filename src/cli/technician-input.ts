// What a technician types during a live session (`porchlight request
// --interactive`): a plain line is narration the user sees in the banner; a
// few slash commands note a change, ask for more, announce a file or end the session. Every
// line becomes a contract message checked with its zod schema, or a typed error.
import { describeIssues, newMessageId } from '../protocol/frame.js';
import { sessionEndSchema, sessionNarrationSchema, sessionNoteSchema, techScopeRequestSchema, type Message } from '../protocol/messages.js';

export const TECHNICIAN_INPUT_HELP = `During the session, type:
  any text                      narration: shown to the user in the session banner
  /more SCOPES [+MIN] REASON    ask for more access (e.g. /more admin The installer needs elevation)
  /more +MIN REASON             ask for more time
  /note TEXT                    note a command you ran or a setting you changed: kept in both
                                audits and the evidence, shown to the user under "What was changed"
  /send FILE                    announce a file you send to the device (name, size, sha256)
  /end                          end the session
  /help                         this list
`;

export type TechnicianInput =
  | { kind: 'none' }
  | { kind: 'help' }
  | { kind: 'message'; msg: Message<'session.narration'> | Message<'session.note'> | Message<'tech.scope-request'> | Message<'session.end'> }
  | { kind: 'send-file'; path: string }
  | { kind: 'error'; code: 'bad-input'; detail: string };

const bad = (detail: string): TechnicianInput => ({ kind: 'error', code: 'bad-input', detail });

/** Never throws: every line is a message to send, a local action, or a typed error. */
export function parseTechnicianLine(line: string, sessionId: string): TechnicianInput {
  const text = line.trim();
  if (text === '') return { kind: 'none' };
  if (!text.startsWith('/')) {
    const parsed = sessionNarrationSchema.safeParse({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text });
    return parsed.success ? { kind: 'message', msg: parsed.data } : bad(describeIssues('narration', parsed.error));
  }
  const [command = '', ...rest] = text.split(/\s+/);
  switch (command) {
    case '/help':
      return { kind: 'help' };
    case '/end': {
      const reason = rest.join(' ');
      const parsed = sessionEndSchema.safeParse({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'technician', ...(reason ? { reason } : {}) });
      return parsed.success ? { kind: 'message', msg: parsed.data } : bad(describeIssues('/end', parsed.error));
    }
    case '/more':
      return parseMore(rest, sessionId);
    case '/note': {
      const note = text.slice('/note'.length).trim();
      if (!note) return bad('/note needs the command you ran or the setting you changed');
      const parsed = sessionNoteSchema.safeParse({ v: 1, type: 'session.note', id: newMessageId(), sessionId, text: note });
      return parsed.success ? { kind: 'message', msg: parsed.data } : bad(describeIssues('/note', parsed.error));
    }
    case '/send': {
      const path = text.slice('/send'.length).trim();
      return path ? { kind: 'send-file', path } : bad('/send needs a file path');
    }
    default:
      return bad(`unknown command ${command.slice(0, 40)}; /help lists them`);
  }
}

function parseMore(words: string[], sessionId: string): TechnicianInput {
  const rest = [...words];
  let scopes: string[] = [];
  let extendMinutes: number | undefined;
  if (rest[0] !== undefined && !rest[0].startsWith('+')) scopes = rest.shift()!.split(',').filter((s) => s !== '');
  if (rest[0]?.startsWith('+')) {
    extendMinutes = Number(rest.shift()!.slice(1));
    if (!Number.isInteger(extendMinutes)) return bad('/more +MIN needs a whole number of minutes');
  }
  const reason = rest.join(' ');
  if (!reason) return bad('/more needs a reason the user will read');
  const parsed = techScopeRequestSchema.safeParse({ v: 1, type: 'tech.scope-request', id: newMessageId(), sessionId, scopes, ...(extendMinutes !== undefined ? { extendMinutes } : {}), reason });
  return parsed.success ? { kind: 'message', msg: parsed.data } : bad(describeIssues('/more', parsed.error));
}
