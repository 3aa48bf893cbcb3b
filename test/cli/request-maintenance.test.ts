// `porchlight request --task-id --targets`: an unattended session names the maintenance task it is
// for, signed into the request and kept in the central audit; on an attended request it is refused.
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/index.js';
import { decline } from '../relay/scripted-agent.js';
import { runCli } from './built-cli.js';
import { cliAgainstRelay } from './cli-against-relay.js';

const world = cliAgainstRelay({ unattended: true });

const base = () => ['request', '--relay', world.t.relay.url, '--token', world.token, '--device', 'dev-1', '--ticket', 'INC42', '--reason', 'Patch the VPN client', '--scopes', 'view', '--json'];
const emergency = ['--emergency', 'VPN gateway certificate expires tonight', '--incident', 'MAJ-7'];

describe('porchlight request --task-id', () => {
  it('carries the task and its targets to the device and into the central audit', async () => {
    let seen: Message<'session.request'> | undefined;
    world.agent.answer = (req, self) => {
      seen = req;
      return decline(req, self);
    };
    const r = await runCli([...base(), ...emergency, '--task-id', 'CHG0004711', '--targets', 'vpn-gw-1, vpn-gw-2']);
    expect(r.stderr).not.toMatch(/error:/);
    const maintenance = { taskId: 'CHG0004711', targets: ['vpn-gw-1', 'vpn-gw-2'] };
    expect(seen?.payload.maintenance).toEqual(maintenance);
    const [request] = await world.t.storage.queryAudit({ deviceId: 'dev-1', kinds: ['request'] });
    expect(request?.data).toMatchObject({ maintenance });
  });

  it.each([
    [['--task-id', 'CHG1'], /--task-id goes with --unattended or --emergency/],
    [[...emergency, '--targets', 'a'], /--targets goes with --task-id/],
    [[...emergency, '--task-id', 'CHG1', '--targets', ' , '], /--targets needs at least one target/],
  ])('refuses %j as a usage error, nothing sent', async (extra, message) => {
    const r = await runCli([...base(), ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(await world.t.storage.queryAudit({ deviceId: 'dev-1', kinds: ['request'] })).toEqual([]);
  });
});
