// `porchlight request --contact`: how the technician reached the user travels signed in the
// request to the device and into the central audit; bad values are usage errors.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/index.js';
import { parseContactFlags } from '../../src/cli/contact-flags.js';
import { decline } from '../relay/scripted-agent.js';
import { runCli } from './built-cli.js';
import { cliAgainstRelay } from './cli-against-relay.js';

const world = cliAgainstRelay();

const base = () => ['request', '--relay', world.t.relay.url, '--token', world.token, '--device', 'dev-1', '--ticket', 'INC42', '--reason', 'VPN drops every hour', '--scopes', 'view', '--json'];

describe('porchlight request --contact', () => {
  it('sends how and when the user was reached, signed into the request and kept in the central audit', async () => {
    let seen: Message<'session.request'> | undefined;
    world.agent.answer = (req, self) => {
      seen = req;
      return decline(req, self);
    };
    const r = await runCli([...base(), '--contact', 'phone', '--contact-note', 'called ext. 4411', '--contact-at', '2026-11-30T10:32:00Z']);
    expect(r.code).toBe(4);
    const contact = { channel: 'phone', at: '2026-11-30T10:32:00.000Z', note: 'called ext. 4411' };
    expect(seen?.payload.contact).toEqual(contact);
    const [request] = await world.t.storage.queryAudit({ deviceId: 'dev-1', kinds: ['request'] });
    expect(request?.data).toMatchObject({ contact });
  });

  it.each([
    [['--contact', 'carrier-pigeon'], /--contact must be one of phone, teams, email, sms, in-person, other/],
    [['--contact-note', 'called'], /go with --contact/],
    [['--contact', 'phone', '--contact-at', 'half past ten'], /--contact-at must be HH:MM/],
    [['--contact', 'phone', '--contact-note', 'line one\u2028line two'], /contact\.note/],
  ])('refuses %j as a usage error (exit 2, one line, nothing sent)', async (extra, message) => {
    const r = await runCli([...base(), ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await world.t.storage.queryAudit({ deviceId: 'dev-1', kinds: ['request'] })).toEqual([]);
  });

  it('refuses a contact time in the future at the relay', async () => {
    const r = await runCli([...base(), '--contact', 'email', '--contact-at', new Date(Date.now() + 3_600_000).toISOString()]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/contact\.at is in the future/);
  });
});

describe('--contact-at', () => {
  it('reads HH:MM as today, local time, and defaults to now', () => {
    const now = new Date(2026, 11, 4, 15, 0, 0);
    const at = new Date(parseContactFlags({ contact: 'teams', 'contact-at': '10:32' }, now)!.at);
    expect([at.getFullYear(), at.getMonth(), at.getDate(), at.getHours(), at.getMinutes()]).toEqual([2026, 11, 4, 10, 32]);
    expect(parseContactFlags({ contact: 'sms' }, now)).toEqual({ channel: 'sms', at: now.toISOString() });
    expect(parseContactFlags({}, now)).toBeUndefined();
  });
});
