// The headless agent looks for its config where the desktop app does: one
// per-OS default (src/core/headless/agent-config.ts), not a Linux path everywhere.
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { headlessConfigPath } from '../../src/cli/commands/agent.js';
import { defaultConfigPath } from '../../src/core/headless/agent-config.js';

describe('headless agent config path', () => {
  it.each([
    // A launcher-set %ProgramData% must not move the file that counts as IT's (review2 item 3).
    ['win32', { ProgramData: 'C:\\Users\\u\\pd', PROGRAMDATA: 'C:\\Users\\u\\pd' }, 'C:\\ProgramData\\Porchlight\\agent.json'],
    ['win32', {}, 'C:\\ProgramData\\Porchlight\\agent.json'],
    ['darwin', {}, '/Library/Application Support/Porchlight/agent.json'],
    ['linux', {}, '/etc/porchlight/agent.json'],
  ] as const)('on %s defaults to the per-OS path', (platform, env, expected) => {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    expect(headlessConfigPath(undefined, env, platform)).toBe(expected);
    expect(defaultConfigPath(platform)).toBe(expected);
  });

  it('takes --config, then $PORCHLIGHT_AGENT_CONFIG, before the default', () => {
    expect(headlessConfigPath('/x/a.json', { PORCHLIGHT_AGENT_CONFIG: '/y/b.json' }, 'win32')).toBe('/x/a.json');
    expect(headlessConfigPath(undefined, { PORCHLIGHT_AGENT_CONFIG: '/y/b.json' }, 'win32')).toBe('/y/b.json');
  });
});
