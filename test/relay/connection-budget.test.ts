// The socket budget's arithmetic and its throttled log lines, with a fake clock;
// the relay process under a real descriptor limit is test/cli/relay-open-files.test.ts.
import { describe, expect, it } from 'vitest';
import { ConnectionBudget } from '../../src/relay/connection-budget.js';
import { readOpenFilesLimit } from '../../src/relay/open-files-limit.js';

const LIMITS_FILE = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
`;

describe('open-files limit and socket budget', () => {
  it('reads soft and hard limits from /proc/self/limits text, and this process has one', () => {
    expect(readOpenFilesLimit(() => LIMITS_FILE)).toEqual({ soft: 1024, hard: 524288 });
    expect(readOpenFilesLimit(() => LIMITS_FILE.replace('1024                 524288', 'unlimited            unlimited'))).toEqual({ soft: Infinity, hard: Infinity });
    expect(readOpenFilesLimit(() => 'nothing here')).toBeNull();
    expect(readOpenFilesLimit(() => { throw new Error('ENOENT'); })).toBeNull();
    if (process.platform === 'linux') expect(readOpenFilesLimit()?.soft).toBeGreaterThan(0);
  });

  it('keeps 64 descriptors for the process and min(256, a quarter) of the sockets for technicians', () => {
    const small = new ConnectionBudget({ openFiles: 200, processReserve: 64 }, () => undefined, () => 0);
    expect([small.maxSockets, small.technicianReserve, small.maxAgents]).toEqual([136, 34, 102]);
    const large = new ConnectionBudget({ openFiles: 65_536, processReserve: 64 }, () => undefined, () => 0);
    expect([large.maxSockets, large.technicianReserve, large.maxAgents]).toEqual([65_472, 256, 65_216]);
    const chosen = new ConnectionBudget({ openFiles: 65_536, processReserve: 64, technicianReserve: 1000 }, () => undefined, () => 0);
    expect(chosen.maxAgents).toBe(64_472);
    const none = new ConnectionBudget({ openFiles: Infinity, processReserve: 64 }, () => undefined, () => 0);
    expect(none.admitAgent()).toBe(true);
    expect(none.describe()).toMatch(/not budgeted/);
  });

  it('admits agents up to the quota, frees a slot on close, and logs refusals and drops at most once a minute with counts', () => {
    let now = 0;
    const log: string[] = [];
    const budget = new ConnectionBudget({ openFiles: 200, processReserve: 64 }, (l) => log.push(l), () => now);
    for (let i = 0; i < budget.maxAgents; i++) expect(budget.admitAgent()).toBe(true);
    expect(budget.admitAgent()).toBe(false);
    expect(budget.admitAgent()).toBe(false);
    budget.agentClosed();
    expect(budget.admitAgent()).toBe(true);
    for (let i = 0; i < 1000; i++) budget.connectionDropped();
    now = 60_000;
    budget.connectionDropped();
    expect(budget.admitAgent()).toBe(false);
    expect(log).toEqual([
      expect.stringMatching(/^relay: refused 1 agent connection\(s\) with busy \(1013\): 102 agents hold the quota of 102, 34 sockets are kept for technicians/),
      expect.stringMatching(/^relay: out of file descriptors \(EMFILE avoided\): dropped 1 new connection\(s\) at the cap of 136 sockets \(open-files limit 200; raise LimitNOFILE\)/),
      expect.stringMatching(/dropped 1000 new connection\(s\)/),
      expect.stringMatching(/^relay: refused 2 agent connection\(s\)/),
    ]);
  });
});
