// The relay's screen-channel defence in depth, against a real relay with a
// scripted agent and real technician clients: channel frames pass only for
// the sender's own live session, with `view` granted, on an open channel,
// within the credit window. Each refused frame is followed by a known-good
// one, so "not forwarded" is proven by order, not by waiting.
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { CHANNEL_WINDOW_BYTES, encodeChannelFrame, MAX_CHANNEL_CHUNK, parseChannelFrame, type ChannelFrame } from '../../src/protocol/channel-frame.js';
import { newMessageId } from '../../src/protocol/frame.js';
import type { Message } from '../../src/protocol/messages.js';
import type { Scope } from '../../src/protocol/scopes.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { within } from '../support/bounded-wait.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndStay, type ScriptedAgent } from './scripted-agent.js';

let t: TestRelay;
afterEach(async () => t?.close());

/** Binary frames a peer received, parsed, with a wait for the next one. */
function binaryLog(ws: WebSocket | { onBinary(l: (f: Uint8Array) => void): void }) {
  const frames: ChannelFrame[] = [];
  let wake: () => void = () => undefined;
  const take = (b: Uint8Array) => {
    const p = parseChannelFrame(b);
    if (p.ok) frames.push(p.frame);
    wake();
  };
  if ('onBinary' in ws) ws.onBinary(take);
  else ws.on('message', (d: Buffer, isBinary: boolean) => isBinary && take(new Uint8Array(d)));
  return {
    frames,
    next: (): Promise<ChannelFrame> =>
      within(
        new Promise((resolve) => {
          const check = () => (frames.length > 0 ? resolve(frames.shift()!) : (wake = check));
          check();
        }),
        'a binary frame',
        () => `${frames.length} frames`,
      ),
  };
}

const data = (sessionId: string, channel: number, text: string): Uint8Array => encodeChannelFrame({ kind: 'data', sessionId, channel, payload: Buffer.from(text) });
const text = (f: ChannelFrame) => (f.kind === 'data' ? Buffer.from(f.payload).toString() : `ack ${f.bytes}`);

async function session(scopes: Scope[], techId = 'alice', agent?: ScriptedAgent) {
  agent ??= await t.agent('dev-ch');
  agent.answer = (req) => {
    const [decision, started] = acceptAndStay()(req, agent!) as [Message<'session.decision'>, Message<'session.started'>];
    return [{ ...decision, granted: scopes, ...(scopes.length < req.payload.scopes.length ? { outcome: 'partial' as const } : {}) }, { ...started, scopes: scopes as [Scope, ...Scope[]] }];
  };
  const tech = await t.technician(techId);
  const started = tech.waitFor((m) => (m.type === 'session.started' ? m : undefined));
  tech.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-ch', ticket: { id: 'INC-CH' }, reason: 'Screen', scopes: ['view', 'control', 'file-transfer'], mode: 'attended', estimatedMinutes: 10 });
  const sessionId = (await within(started, 'session.started', () => 'nothing'))!.sessionId;
  return { agent, tech, sessionId };
}

async function openChannel(tech: TechnicianClient, agent: ScriptedAgent, sessionId: string, channel = 1) {
  const opened = tech.waitFor((m) => (m.type === 'channel.opened' ? m : undefined));
  tech.send({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel, kind: 'screen' });
  const open = await within(agent.next('channel.open'), 'channel.open at the agent', () => 'nothing');
  expect(open).toMatchObject({ sessionId, channel, kind: 'screen' });
  agent.send({ v: 1, type: 'channel.opened', id: newMessageId(), sessionId, channel });
  await within(opened, 'channel.opened at the technician', () => 'nothing');
}

const answerTo = (tech: TechnicianClient, type: 'error' | 'channel.close') => within(tech.waitFor((m) => (m.type === type ? m : undefined)), type, () => 'nothing');

describe('relay: screen channel frames', () => {
  it('forwards both ways for a live session with view, on an open channel', async () => {
    t = await startTestRelay();
    const { agent, tech, sessionId } = await session(['view']);
    const atAgent = binaryLog(agent.ws);
    const atTech = binaryLog(tech);
    await openChannel(tech, agent, sessionId);
    tech.sendBinary(data(sessionId, 1, 'RFB from viewer'));
    expect(text(await atAgent.next())).toBe('RFB from viewer');
    agent.ws.send(data(sessionId, 1, 'pixels'));
    expect(text(await atTech.next())).toBe('pixels');
    const audit = await t.storage.queryAudit({ ticketId: 'INC-CH', kinds: ['channel-open'] });
    expect(audit.map((r) => r.data)).toEqual([{ channel: 1, kind: 'screen' }]);
  });

  it('refuses channel.open without view, and never asks the agent', async () => {
    t = await startTestRelay();
    const { agent, tech, sessionId } = await session(['control']);
    const refused = answerTo(tech, 'channel.close');
    tech.send({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel: 1, kind: 'screen' });
    expect(await refused).toMatchObject({ code: 'forbidden', channel: 1 });
    tech.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'after the refused open' });
    await within(agent.next('session.narration'), 'the narration behind it', () => 'nothing');
    expect(agent.received.filter((m) => m.type === 'channel.open')).toEqual([]);
    const rejected = await t.storage.queryAudit({ ticketId: 'INC-CH', kinds: ['rejected'] });
    expect(rejected.map((r) => r.data)).toContainEqual(expect.objectContaining({ action: 'channel.open', code: 'forbidden' }));
  });

  it('refuses an endpoint named by the technician: channel.open has no host or port', async () => {
    t = await startTestRelay();
    const { agent, tech, sessionId } = await session(['view']);
    const bad = answerTo(tech, 'error');
    const ws = (tech as unknown as { ws: WebSocket }).ws;
    ws.send(JSON.stringify({ v: 1, type: 'channel.open', id: newMessageId(), sessionId, channel: 1, kind: 'screen', host: '10.0.0.5', port: 5900 }));
    expect(await bad).toMatchObject({ code: 'bad-frame' });
    tech.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'after the bad open' });
    await within(agent.next('session.narration'), 'the narration behind it', () => 'nothing');
    expect(agent.received.filter((m) => m.type === 'channel.open')).toEqual([]);
  });

  it('refuses data before the channel is open, for another session, and from another technician', async () => {
    t = await startTestRelay();
    const { agent, tech, sessionId } = await session(['view']);
    const atAgent = binaryLog(agent.ws);
    const early = answerTo(tech, 'channel.close');
    tech.sendBinary(data(sessionId, 1, 'before open'));
    expect(await early).toMatchObject({ code: 'forbidden' });
    await openChannel(tech, agent, sessionId);
    const unknown = answerTo(tech, 'error');
    tech.sendBinary(data('ses-someone-else', 1, 'other session'));
    expect(await unknown).toMatchObject({ code: 'unknown-session' });
    const mallory = await t.technician('mallory');
    const stolen = answerTo(mallory, 'error');
    mallory.sendBinary(data(sessionId, 1, 'from mallory'));
    expect(await stolen).toMatchObject({ code: 'unknown-session' });
    const wrongChannel = answerTo(tech, 'channel.close');
    tech.sendBinary(data(sessionId, 2, 'wrong channel'));
    expect(await wrongChannel).toMatchObject({ code: 'forbidden', channel: 2 });
    tech.sendBinary(data(sessionId, 1, 'the good one'));
    expect(text(await atAgent.next())).toBe('the good one');
    expect(atAgent.frames).toEqual([]);
  });

  it('closes the channel on both sides when view is revoked, and forwards nothing after', async () => {
    t = await startTestRelay();
    const { agent, tech, sessionId } = await session(['view', 'control']);
    const atAgent = binaryLog(agent.ws);
    await openChannel(tech, agent, sessionId);
    const techClosed = answerTo(tech, 'channel.close');
    const agentClosed = within(agent.next('channel.close'), 'channel.close at the agent', () => 'nothing');
    agent.send({ v: 1, type: 'session.scope-update', id: newMessageId(), sessionId, change: 'revoked', scopes: ['view'], granted: ['control'], endsAt: new Date(Date.now() + 600_000).toISOString() });
    expect(await techClosed).toMatchObject({ channel: 1, detail: 'view is no longer granted' });
    expect(await agentClosed).toMatchObject({ channel: 1 });
    const after = answerTo(tech, 'channel.close');
    tech.sendBinary(data(sessionId, 1, 'after revoke'));
    expect(await after).toMatchObject({ code: 'forbidden' });
    tech.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'after' });
    await within(agent.next('session.narration'), 'the narration behind it', () => 'nothing');
    expect(atAgent.frames).toEqual([]);
    const closes = await t.storage.queryAudit({ ticketId: 'INC-CH', kinds: ['channel-close'] });
    expect(closes.map((r) => r.data)).toEqual([{ channel: 1, by: 'relay', detail: 'view is no longer granted' }]);
  });

  it('closes the channel with channel-violation when a sender overruns its credit window', async () => {
    t = await startTestRelay();
    const { agent, tech, sessionId } = await session(['view']);
    const atAgent = binaryLog(agent.ws);
    await openChannel(tech, agent, sessionId);
    const closed = answerTo(tech, 'channel.close');
    const chunk = encodeChannelFrame({ kind: 'data', sessionId, channel: 1, payload: new Uint8Array(MAX_CHANNEL_CHUNK) });
    const fit = CHANNEL_WINDOW_BYTES / MAX_CHANNEL_CHUNK;
    for (let i = 0; i <= fit; i++) tech.sendBinary(chunk);
    expect(await closed).toMatchObject({ code: 'channel-violation' });
    for (let i = 0; i < fit; i++) await atAgent.next();
    expect(atAgent.frames).toEqual([]); // the one past the window was not forwarded
    const bogusAck = answerTo(tech, 'channel.close');
    await openChannel(tech, agent, sessionId, 2);
    tech.sendBinary(encodeChannelFrame({ kind: 'ack', sessionId, channel: 2, bytes: 1 }));
    expect(await bogusAck).toMatchObject({ code: 'channel-violation', channel: 2 });
  });

  it('drops the channel state when the session ends', async () => {
    t = await startTestRelay();
    const { agent, tech, sessionId } = await session(['view']);
    await openChannel(tech, agent, sessionId);
    const closed = answerTo(tech, 'channel.close');
    agent.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'user' });
    expect(await closed).toMatchObject({ channel: 1, detail: 'the session ended' });
    const after = answerTo(tech, 'channel.close');
    tech.sendBinary(data(sessionId, 1, 'after end'));
    expect(await after).toMatchObject({ code: 'unknown-session' });
  });
});
