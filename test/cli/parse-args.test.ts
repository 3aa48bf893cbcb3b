// A string option takes the next argument even when it starts with '-' (base64url keys and tokens
// do one time in 64), unless that argument is one of the command's own options.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinDashValues, parseArgs } from '../../src/cli/parse-args.js';

const options = { 'relay-key': { type: 'string' }, token: { type: 'string', short: 't' }, json: { type: 'boolean' } } as const;
// Keys are 43 characters and tokens 16-128: never the bare `--` terminator.
const base64url = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);

describe('CLI argument parsing', () => {
  it('gives any base64url value to its option, whatever its first character', () => {
    fc.assert(
      fc.property(base64url, base64url, (key, token) => {
        const { values } = parseArgs({ args: ['--relay-key', key, '-t', token, '--json'], options, strict: true });
        expect(values).toEqual({ 'relay-key': key, token, json: true });
      }),
      { examples: [['-Zk3aaaaaaaaaaaaaaaa', '--not-an-option-at-all']] },
    );
  });

  it('still says a value is missing when the next argument is one of the command\'s options', () => {
    expect(() => parseArgs({ args: ['--token', '--json'], options, strict: true })).toThrow(expect.objectContaining({ code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' }));
    expect(() => parseArgs({ args: ['--token', '--relay-key=x'], options, strict: true })).toThrow(expect.objectContaining({ code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' }));
  });

  it('leaves booleans, --name=value and everything after -- alone', () => {
    expect(joinDashValues(['--json', '-x', '--token=-a', '--', '--token', '-b'], options)).toEqual(['--json', '-x', '--token=-a', '--', '--token', '-b']);
  });

  it('takes a dash value given to a short option under its long name', () => {
    expect(joinDashValues(['-t', '-abc'], options)).toEqual(['--token=-abc']);
  });
});
