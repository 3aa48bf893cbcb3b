// Seed 000: "document what you've done, why you did it, how you succeeded". A ticket
// with an emergency session closes only with --what, --why and --result (the relay
// refuses otherwise, exit 6), and every request reminds the technician until then.
import { describe, expect, it } from 'vitest';
import { acceptAndFinish, decline } from '../relay/scripted-agent.js';
import { runCli } from './built-cli.js';
import { cliAgainstRelay } from './cli-against-relay.js';

const world = cliAgainstRelay({ unattended: true });

const request = (ticket: string, ...extra: string[]) => ['request', '--relay', world.t.relay.url, '--token', world.token, '--device', 'dev-1', '--ticket', ticket, '--reason', 'Renew the VPN certificate', '--scopes', 'view', ...extra];
const emergency = ['--emergency', 'VPN gateway certificate expires tonight', '--incident', 'MAJ-7'];
const close = (ticket: string, ...extra: string[]) => ['session', 'close', '--relay', world.t.relay.url, '--token', world.token, '--ticket', ticket, '--outcome', 'resolved', ...extra];
const documented = ['--what', 'Replaced the gateway certificate', '--why', 'It expired at midnight', '--result', 'VPN logins work again'];

async function emergencySession(ticket: string): Promise<void> {
  world.agent.answer = acceptAndFinish();
  const r = await runCli(request(ticket, ...emergency));
  expect(r.code, r.stderr).toBe(0);
}

describe('session close after an emergency session', () => {
  it('refuses a close without what / why / result, and keeps nothing', async () => {
    await emergencySession('INC-E1');
    const r = await runCli(close('INC-E1', '--note', 'all good'));
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^error: documentation-required: ticket INC-E1 had an emergency session/m);
    expect(await world.t.storage.queryAudit({ ticketId: 'INC-E1', kinds: ['close'] })).toEqual([]);
  });

  it('takes all three and keeps them in the central audit', async () => {
    await emergencySession('INC-E2');
    const r = await runCli(close('INC-E2', ...documented));
    expect(r.code, r.stderr).toBe(0);
    const [rec] = await world.t.storage.queryAudit({ ticketId: 'INC-E2', kinds: ['close'] });
    expect(rec?.data).toEqual({ outcome: 'resolved', documentation: { what: 'Replaced the gateway certificate', why: 'It expired at midnight', result: 'VPN logins work again' } });
  });

  it.each([[['--what', 'a', '--why', 'b']], [['--result', 'c']]])('refuses %j alone as a usage error, nothing sent', async (extra) => {
    const r = await runCli(close('INC-E3', ...extra));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--what, --why and --result go together/);
  });

  it('holds the text policy of narration (no control characters)', async () => {
    await emergencySession('INC-E4');
    const r = await runCli(close('INC-E4', '--what', 'a\u001b[2Jb', '--why', 'b', '--result', 'c'));
    expect(r.code).toBe(2);
    expect(await world.t.storage.queryAudit({ ticketId: 'INC-E4', kinds: ['close'] })).toEqual([]);
  });

  it('request --emergency --outcome is a usage error (the outcome needs the documentation)', async () => {
    const r = await runCli(request('INC-E7', ...emergency, '--outcome', 'resolved'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/an emergency session closes with porchlight session close --what --why --result/);
  });

  it('a later attended session on the ticket cannot close it undocumented either, and says why', async () => {
    await emergencySession('INC-E8');
    world.agent.answer = acceptAndFinish();
    const r = await runCli(request('INC-E8', '--outcome', 'resolved'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^outcome not recorded: documentation-required: ticket INC-E8 had an emergency session/m);
  });

  it('an attended ticket still closes without them', async () => {
    world.agent.answer = acceptAndFinish();
    expect((await runCli(request('INC-A1'))).code).toBe(0);
    expect((await runCli(close('INC-A1'))).code).toBe(0);
  });
});

describe('the reminder at every request', () => {
  it('names the undocumented emergency tickets until they are documented', async () => {
    await emergencySession('INC-E5');
    world.agent.answer = decline;
    const first = await runCli(request('INC-other'));
    expect(first.stderr).toMatch(/^reminder: emergency session\(s\) not yet documented on INC-E5: run porchlight session close/m);
    const json = await runCli(request('INC-other', '--json'));
    const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; tickets?: string[]; undocumentedEmergencies?: string[] });
    expect(events.find((e) => e.type === 'emergency-undocumented')?.tickets).toEqual(['INC-E5']);
    expect(events.find((e) => e.type === 'session.pending')?.undocumentedEmergencies).toEqual(['INC-E5']);

    expect((await runCli(close('INC-E5', ...documented))).code).toBe(0);
    const after = await runCli(request('INC-other'));
    expect(after.stderr).not.toMatch(/reminder/);
  });

  it('does not remind another technician', async () => {
    await emergencySession('INC-E6');
    const bob = await world.t.addTechnician('bob');
    world.agent.answer = decline;
    const r = await runCli(['request', '--relay', world.t.relay.url, '--token', bob, '--device', 'dev-1', '--ticket', 'INC-B', '--reason', 'Printer', '--scopes', 'view']);
    expect(r.stderr).not.toMatch(/reminder/);
  });
});
