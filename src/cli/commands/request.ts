// `porchlight request`: ask a device for a support session through the relay,
// print the verification code at once, then the decision per scope and the
// session's events until it ends. Ctrl-C ends the session cleanly.
import { readFileSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from '../parse-args.js';
import { approvalTokenSchema, type Approval } from '../../protocol/approval.js';
import { describeIssues, newMessageId } from '../../protocol/frame.js';
import { CLOSE_OUTCOMES, techRequestSchema, techScheduleSchema, type Message } from '../../protocol/messages.js';
import type { TechnicianClient } from '../technician/technician-client.js';
import { OTP_OPTION, signInTechnician } from '../technician/sign-in.js';
import { trustDeviceBeforeRequest, unverifiedFrameWarning, type DeviceFrameCheck } from '../technician/device-trust.js';
import { KnownDevices, knownDevicesPath } from '../known-devices.js';
import { RequestOutput as Output, type Seal } from '../technician/request-output.js';
import { ScreenListener } from '../technician/screen-listener.js';
import { exitForDecision, exitForError } from '../technician/technician-exit.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { sendFile } from '../technician/file-sender.js';
import { readCaFile } from '../read-ca-file.js';
import { parseTechnicianLine, TECHNICIAN_INPUT_HELP } from '../technician-input.js';
import { EXIT } from '../exit-codes.js';
import { REQUEST_HELP as HELP } from '../request-help.js';
import { requireTechnicianToken } from '../technician-token.js';
import { requireRelayUrls } from '../transport-security.js';
import { CONTACT_OPTIONS, parseContactFlags } from '../contact-flags.js';
import { MAINTENANCE_OPTIONS, parseMaintenanceFlags } from '../maintenance-flags.js';
import { remindUndocumented } from '../technician/emergency-reminder.js';
import { SCHEDULE_OPTIONS, parseScheduleFlags } from '../schedule-flags.js';
import { runSchedule, scheduleMessage } from '../technician/schedule-request.js';

type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];

function buildRequest(values: Record<string, string | boolean | undefined>): Message<'tech.request'> {
  let approval: Approval | undefined;
  const unattended = values.unattended === true || values.emergency !== undefined;
  if (values.unattended === true && values.emergency !== undefined) throw new UsageError('--unattended (approval) and --emergency are exclusive');
  if (values.unattended === true) {
    if (typeof values.approval !== 'string') throw new UsageError('--unattended needs --approval FILE');
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(values.approval, 'utf8'));
    } catch (err) {
      throw new UsageError(`cannot read approval ${values.approval}: ${(err as Error).message}`);
    }
    const token = approvalTokenSchema.safeParse(raw);
    if (!token.success) throw new UsageError(describeIssues('approval', token.error));
    approval = { kind: 'manager', token: token.data };
  } else if (typeof values.emergency === 'string') {
    if (typeof values.incident !== 'string') throw new UsageError('--emergency needs --incident ID');
    approval = { kind: 'emergency', justification: values.emergency, incident: values.incident };
  } else if (values.approval !== undefined) {
    throw new UsageError('--approval goes with --unattended');
  }
  const candidate = {
    v: 1,
    type: 'tech.request',
    id: newMessageId(),
    deviceId: values.device,
    ticket: values['ticket-url'] === undefined ? { id: values.ticket } : { id: values.ticket, url: values['ticket-url'] },
    reason: values.reason,
    scopes: typeof values.scopes === 'string' ? values.scopes.split(',').map((s) => s.trim()) : undefined,
    mode: unattended ? 'unattended' : 'attended',
    ...(approval ? { approval } : {}),
    estimatedMinutes: Number(values.minutes ?? 30),
  };
  const contact = parseContactFlags(values);
  if (contact) Object.assign(candidate, { contact });
  const maintenance = parseMaintenanceFlags(values);
  if (maintenance) Object.assign(candidate, { maintenance });
  const parsed = techRequestSchema.safeParse(candidate);
  if (!parsed.success) throw new UsageError(describeIssues('request', parsed.error));
  return parsed.data;
}

function buildSchedule(values: Record<string, string | boolean | undefined>, window: { startsAt: string; endsAt: string }): Message<'tech.schedule'> {
  if (values.contact !== undefined) throw new UsageError('--contact goes with a request to connect now, not with --at');
  const parsed = techScheduleSchema.safeParse(scheduleMessage({
    deviceId: values.device as string,
    ticket: (values['ticket-url'] === undefined ? { id: values.ticket } : { id: values.ticket, url: values['ticket-url'] }) as Message<'tech.schedule'>['ticket'],
    reason: values.reason as string,
    scopes: (typeof values.scopes === 'string' ? values.scopes.split(',').map((s) => s.trim()) : undefined) as Message<'tech.schedule'>['scopes'],
    ...window,
  }));
  if (!parsed.success) throw new UsageError(describeIssues('request', parsed.error));
  return parsed.data;
}

/** Drives one request from send to session end; resolves with the exit code. */
function runSession(client: TechnicianClient, check: DeviceFrameCheck, req: Message<'tech.request'>, out: Output, ctx: CommandContext, timeoutSec: number | undefined, closeOutcome: CloseOutcome | undefined, interactive: boolean, screenPort: number | undefined, sendPath: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    let screen: ScreenListener | undefined;
    const followScreen = (sessionId: string, granted: readonly string[]) => {
      if (screenPort === undefined) return;
      screen ??= new ScreenListener({
        client, sessionId, port: screenPort,
        onListening: (port) => out.line('screen', `screen: vnc://127.0.0.1:${port}`, { url: `vnc://127.0.0.1:${port}`, port }),
        onNote: (kind, text) => out.note(kind, text),
      });
      screen.follow(granted);
    };
    let input: Interface | undefined;
    let requestId: string | undefined;
    let sessionId: string | undefined;
    let exit: number | undefined;
    let finished = false;
    /** The session ended by someone's choice or its time (not because a connection was lost). */
    let endedCleanly = false;
    let decisionTimer: NodeJS.Timeout | undefined;
    let summaryTimer: NodeJS.Timeout | undefined;

    const finish = async (code: number) => {
      if (finished) return;
      finished = true;
      screen?.stop();
      input?.close();
      clearTimeout(decisionTimer);
      clearTimeout(summaryTimer);
      ctx.signal.removeEventListener('abort', onAbort);
      if (closeOutcome && sessionId && client.isOpen) {
        const closeMsg: Message<'tech.close'> = { v: 1, type: 'tech.close', id: newMessageId(), ticketId: req.ticket.id, sessionId, outcome: closeOutcome };
        const answer = client.waitFor((m) => ((m.type === 'tech.closed' && m.ticketId === req.ticket.id) || (m.type === 'error' && m.re === closeMsg.id) ? m : undefined));
        client.send(closeMsg);
        const m = await answer;
        if (m?.type === 'error') out.note('close-refused', `outcome not recorded: ${m.code}: ${m.detail ?? ''}`, { code: m.code });
        if (m?.type === 'error' || m === null) code = code === EXIT.ok ? EXIT.other : code;
      }
      resolve(code);
    };

    const onAbort = () => {
      if (sessionId) {
        out.note('interrupted', 'ending the session ...');
        client.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'technician', reason: 'the technician ended the session' });
        summaryTimer = setTimeout(() => void finish(exit ?? EXIT.other), 3000);
      } else {
        if (requestId) client.send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId });
        out.note('interrupted', 'request withdrawn');
        void finish(exit ?? EXIT.other);
      }
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    client.onClose(() => {
      if (finished) return;
      if (sessionId !== undefined && !endedCleanly) {
        // Whatever was decided, the session did not end properly: scripts must not read this as success.
        out.note('relay-lost', `lost the relay during session ${sessionId}; the session did not end cleanly`);
        return void finish(EXIT.other);
      }
      out.note('disconnected', 'lost the relay: it closed the connection');
      void finish(exit ?? EXIT.other);
    });

    /** The CLI's own check of a device-signed frame; undefined after refusing it (and ending what it opened). */
    const sealOf = (msg: Message): Seal | undefined => {
      const v = check.check(msg);
      if (v.kind === 'verified') return { deviceKeyFingerprint: v.deviceKeyFingerprint, signatureVerified: true };
      if (v.kind === 'relay-made') return { signatureVerified: false };
      if (v.kind === 'not-signed-type') return {};
      out.note('bad-signature', unverifiedFrameWarning(msg, v.detail), { code: 'bad-signature', refused: msg.type });
      const endOf = msg.type === 'session.summary' ? undefined : sessionId ?? ('sessionId' in msg ? msg.sessionId : undefined);
      if (endOf) client.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: endOf, by: 'technician', reason: 'the device signature did not verify' });
      else if (requestId && msg.type === 'session.decision') client.send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId });
      void finish(EXIT.other);
      return undefined;
    };

    client.onMessage((msg) => {
      if (finished) return;
      if (msg.type === 'session.decision' && msg.requestId !== requestId) return;
      const seal = sealOf(msg);
      if (seal === undefined) return;
      switch (msg.type) {
        case 'session.pending':
          if (requestId !== undefined) return;
          requestId = msg.requestId;
          check.expectRequest(msg.requestId);
          out.event(msg);
          remindUndocumented(out, msg.undocumentedEmergencies);
          if (timeoutSec !== undefined) {
            decisionTimer = setTimeout(() => {
              client.send({ v: 1, type: 'session.cancel', id: newMessageId(), requestId: msg.requestId });
              out.refusal('expired', `no decision within ${timeoutSec} s; request withdrawn`, 'technician');
              void finish(EXIT.expired);
            }, timeoutSec * 1000);
          }
          return;
        case 'error':
          if (msg.re !== req.id && exit !== undefined && msg.code !== 'agent-offline') return out.event(msg);
          // Refused before any decision: the one decision-like shape; after one, the error as it came.
          if (exit === undefined) out.refusal(msg.code, msg.detail ?? msg.code, 'relay', msg.re);
          else out.event(msg);
          return void finish(exit ?? exitForError(msg.code));
        case 'session.decision':
          clearTimeout(decisionTimer);
          out.event(msg, seal);
          exit = exitForDecision(msg, req.scopes);
          if (msg.sessionId) sessionId = msg.sessionId;
          if (msg.granted.length === 0 || (msg.outcome !== 'accepted' && msg.outcome !== 'partial')) void finish(exit);
          return;
        case 'session.started':
          sessionId = msg.sessionId;
          out.event(msg, seal);
          followScreen(msg.sessionId, msg.scopes);
          if (sendPath !== undefined && msg.scopes.includes('file-transfer')) void sendAndSay(client, out, sendPath, msg.sessionId, req.ticket.id);
          if (interactive && ctx.stdin && !input) input = readTechnicianInput(ctx, client, out, msg.sessionId, req.ticket.id);
          return;
        case 'session.end':
          screen?.stop();
          out.event(msg);
          // The device dropped out: no summary will come, and scripts must not read it as success.
          if (msg.by === 'agent-lost') return void finish(EXIT.agentLost);
          if (msg.by !== 'relay-lost') endedCleanly = true;
          // The summary normally follows at once; don't hang if it doesn't.
          summaryTimer ??= setTimeout(() => void finish(exit ?? EXIT.other), 3000);
          return;
        case 'session.summary':
          endedCleanly = true;
          out.event(msg, seal);
          return void finish(exit ?? EXIT.other);
        case 'session.scope-update':
          if (msg.sessionId === sessionId) followScreen(msg.sessionId, msg.granted);
          return out.event(msg, seal);
        case 'channel.opened':
        case 'channel.close':
          screen?.handle(msg);
          return out.event(msg);
        default:
          return out.event(msg);
      }
    });
    client.send(req);
  });
}

/** `--interactive`: each stdin line becomes narration, a request for more, a file announcement or the end. */
function readTechnicianInput(ctx: CommandContext, client: TechnicianClient, out: Output, sessionId: string, ticketId: string): Interface {
  out.note('input', 'type a message to narrate it to the user; /help lists the commands');
  const rl = createInterface({ input: ctx.stdin!, crlfDelay: Infinity, terminal: false });
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    // One line at a time, in order (a file announcement waits for its hash).
    queue = queue.then(async () => {
      const parsed = parseTechnicianLine(line, sessionId);
      if (parsed.kind === 'help') return void ctx.stderr.write(TECHNICIAN_INPUT_HELP);
      if (parsed.kind === 'error') return out.note('input-error', parsed.detail, { code: parsed.code });
      if (parsed.kind === 'message') return client.send(parsed.msg);
      // Not awaited: a transfer in flight must not hold up the lines after it (/end ends it).
      if (parsed.kind === 'send-file') void sendAndSay(client, out, parsed.path, sessionId, ticketId);
    });
  });
  return rl;
}

/** Send one file and say how it went (stdout: the stored name; stderr: why not). */
async function sendAndSay(client: TechnicianClient, out: Output, path: string, sessionId: string, ticketId: string): Promise<void> {
  const r = await sendFile(client, path, sessionId, ticketId);
  if (r.ok) out.line('file', `file: ${r.detail}`, { path });
  else out.note('file-error', `file ${path} not sent: ${r.code}: ${r.detail}`, { code: r.code, path });
}

const command: Command = {
  name: 'request',
  summary: 'ask a device for a support session (technician side)',
  help: HELP,
  async run(argv, ctx) {
    const { values } = parseArgs({
      args: argv,
      options: {
        relay: { type: 'string' }, insecure: { type: 'boolean', default: false },
        token: { type: 'string' },
        device: { type: 'string' },
        ticket: { type: 'string' },
        'ticket-url': { type: 'string' },
        reason: { type: 'string' },
        scopes: { type: 'string' },
        minutes: { type: 'string' },
        unattended: { type: 'boolean' },
        approval: { type: 'string' },
        emergency: { type: 'string' },
        incident: { type: 'string' },
        outcome: { type: 'string' },
        'close-outcome': { type: 'string' },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        ca: { type: 'string' },
        ...OTP_OPTION,
        interactive: { type: 'boolean', default: false },
        'screen-port': { type: 'string' },
        send: { type: 'string' },
        ...CONTACT_OPTIONS,
        ...MAINTENANCE_OPTIONS,
        ...SCHEDULE_OPTIONS,
      },
      strict: true,
    });
    const relays = requireRelayUrls(values.relay, values.insecure);
    const token = requireTechnicianToken(values.token, ctx.env);
    if (values.outcome !== undefined && values['close-outcome'] !== undefined && values.outcome !== values['close-outcome']) throw new UsageError('--outcome and --close-outcome disagree');
    const closeOutcome = values.outcome ?? values['close-outcome'];
    if (closeOutcome !== undefined && !(CLOSE_OUTCOMES as readonly string[]).includes(closeOutcome)) throw new UsageError(`--outcome must be one of ${CLOSE_OUTCOMES.join(', ')}`);
    // Seed 000: an emergency session is closed with what / why / result, which only `session close` takes.
    if (closeOutcome !== undefined && values.emergency !== undefined) throw new UsageError('an emergency session closes with porchlight session close --what --why --result, not --outcome');
    const timeoutSec = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeoutSec !== undefined && !(timeoutSec > 0)) throw new UsageError('--timeout must be a positive number of seconds');
    const screenPort = values['screen-port'] === undefined ? undefined : Number(values['screen-port']);
    if (screenPort !== undefined && !(Number.isInteger(screenPort) && screenPort >= 0 && screenPort <= 65535)) throw new UsageError('--screen-port must be a port number 0-65535');
    // Issue 20: --at / --window propose a window to agree to in advance instead of asking for a session now.
    const window = parseScheduleFlags(values);
    const req = window ? buildSchedule(values, window) : buildRequest(values);
    const ca = values.ca === undefined ? undefined : readCaFile(values.ca, relays[0]);
    const out = new Output(ctx, values.json, req.scopes);
    const connected = await signInTechnician(ctx, relays, token, ca === undefined ? {} : { ca }, values.otp);
    if (!connected.ok) {
      out.refusal(connected.code, `cannot connect as technician: ${connected.detail}`, 'connection');
      return exitForError(connected.code);
    }
    const client = connected.client;
    try {
      // Trust the relay key's identity, not the URL: another instance of the same relay knows the same devices.
      const relayId = client.relayKeyFingerprint ?? connected.url;
      const known = new KnownDevices(knownDevicesPath(ctx.env));
      const trusted = await trustDeviceBeforeRequest(client, relayId, req.deviceId, known, out, new Date().toISOString());
      if (!trusted.ok) {
        out.refusal(trusted.code, trusted.detail, 'relay');
        return exitForError(trusted.code);
      }
      if (req.type === 'tech.schedule') return await runSchedule({ client, check: trusted.check, req, out, ctx, icsPath: values.ics });
      return await runSession(client, trusted.check, req, out, ctx, timeoutSec, closeOutcome as CloseOutcome | undefined, values.interactive, screenPort, values.send);
    } finally {
      await client.close();
    }
  },
};
export default command;
