// node:util parseArgs, except that a string option takes the next argument even when it starts
// with '-'. Tokens and keys are base64url, so one in 64 begins with '-'; `--relay-key -Abc…` must
// mean the key, not "missing value". A next argument that is itself one of the command's own
// options (or `--`) is not taken, so `--token --json` still says the value is missing.
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof nodeParseArgs<T>> {
  if (config.args === undefined) return nodeParseArgs(config);
  return nodeParseArgs({ ...config, args: joinDashValues(config.args, config.options ?? {}) } as T);
}

/** `--name -value` → `--name=-value` for string options; everything after `--` is left alone. */
export function joinDashValues(args: readonly string[], options: Options): string[] {
  const byShort = new Map(Object.entries(options).filter(([, o]) => o.short !== undefined).map(([name, o]) => [o.short!, name]));
  const nameOf = (arg: string): string | undefined => {
    if (arg.startsWith('--')) return arg.slice(2);
    if (/^-[^-]$/.test(arg)) return byShort.get(arg.slice(1));
    return undefined;
  };
  const isOwnOption = (arg: string): boolean => {
    if (arg === '--') return true;
    const name = nameOf(arg.split('=', 1)[0]!);
    return name !== undefined && name in options;
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const name = arg.includes('=') ? undefined : nameOf(arg);
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && next.startsWith('-') && !isOwnOption(next)) {
      out.push(arg.startsWith('--') ? `${arg}=${next}` : `--${name}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
