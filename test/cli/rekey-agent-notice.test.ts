// An admin re-keys a device (issue 17), with a real relay process and two real
// headless agent processes: the agent holding the old key is dropped with the
// reason and shows the user a notice instead of retrying silently; the
// technician's CLI, which remembered the old key, accepts the new one only
// because the relay's central audit holds the re-key, and says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, runCli, type RunningCli } from './built-cli.js';
import { addTechnician, enrollDevice, freePort, startHeadlessAgent, startRelayProcess, stopProcess, tmp, type RelayProcess } from '../fault/processes.js';

const DEVICE = 'srv-rekey';
let dir: string;
let relay: RelayProcess;
let oldAgent: RunningCli | undefined;
let newAgent: RunningCli | undefined;

beforeAll(async () => {
  await ensureBuilt();
  dir = tmp('rekey-notice');
}, 120_000);
afterAll(async () => {
  await stopProcess(oldAgent);
  await stopProcess(newAgent);
  await relay?.stop();
});

const fingerprintOf = (agent: RunningCli) => /started: device \S+ \(key ([A-Z2-7-]+)\)/.exec(agent.stderr())![1]!;

describe('re-keying a device', { timeout: 90_000 }, () => {
  it('tells the old key\'s agent why it was dropped; the technician follows the audited re-key', async () => {
    const data = join(dir, 'relay');
    const token = await addTechnician(data, 'alice');
    const enrollmentToken = await enrollDevice(data, DEVICE);
    relay = await startRelayProcess(data, await freePort());
    const policy = { relayUrl: relay.url, relayPublicKey: relay.publicKey };
    oldAgent = await startHeadlessAgent(dir, { deviceId: DEVICE, enrollmentToken, dataDir: join(dir, 'agent-old'), policy });
    await oldAgent.waitForStderr(/status: connected/);
    const oldKey = fingerprintOf(oldAgent);

    const env = { XDG_CONFIG_HOME: join(dir, 'tech-config') };
    mkdirSync(env.XDG_CONFIG_HOME);
    const ask = (ticket: string) => runCli(['request', '--relay', relay.url, '--token', token, '--device', DEVICE, '--ticket', ticket, '--reason', 'Printer', '--scopes', 'view'], env);
    const first = await ask('INC-RK-1');
    expect(first.code).toBe(4);
    expect(first.stdout).toContain(`key fingerprint: ${oldKey} (first use`);

    const rekey = await runCli(['relay', 'enroll-device', '--device', DEVICE, '--rekey', '--data', data]);
    expect(rekey.code).toBe(0);
    newAgent = await startHeadlessAgent(dir, { deviceId: DEVICE, enrollmentToken: rekey.stdout.split('\n')[1]!, dataDir: join(dir, 'agent-new'), policy });
    await newAgent.waitForStderr(/status: connected/);
    const newKey = fingerprintOf(newAgent);
    expect(newKey).not.toBe(oldKey);

    // The old key's agent is told, in words, and stays up without retrying a key that is gone.
    const line = /notify \(info\): Porchlight was disconnected: this device was re-keyed: [^\n]*/;
    const notice = line.exec(await oldAgent.waitForStderr(line))![0];
    expect(notice).toContain(`device re-keyed by an admin (${oldKey} -> ${newKey}); this key is no longer enrolled`);
    expect(notice).toContain('Porchlight stopped connecting');
    expect(oldAgent.child.exitCode).toBeNull();

    const second = await ask('INC-RK-2');
    expect(second.code).toBe(4);
    expect(second.stdout).toContain(`key fingerprint: ${newKey} (re-keyed by an admin from ${oldKey}, audited)`);
    expect(second.stdout).toContain(`device signature verified (key ${newKey})`);
  });
});
