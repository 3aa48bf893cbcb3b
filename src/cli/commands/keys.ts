// `porchlight keys generate`: an Ed25519 keypair file (0600) for the IT
// approvals key (or a relay key made ahead of time).
import { parseArgs } from '../parse-args.js';
import { generateEd25519KeyPair, keyFingerprint } from '../../protocol/signing.js';
import { writeKeyPairFile } from '../../relay/relay-key.js';
import { UsageError, type Command } from '../command.js';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';

const HELP = `Usage: porchlight keys generate (--approvals | --relay) --out FILE

Creates an Ed25519 keypair and writes {publicKey, privateKey} to FILE (mode 0600,
never overwritten). Prints the public key and its fingerprint.

  --approvals  the IT approvals key: signs unattended-access approvals
               (pin its public key in agent policy; keep the file off the relay)
  --relay      a relay signing key (the relay also creates one in its data dir)
`;

const command: Command = {
  name: 'keys',
  summary: 'generate signing keys (relay, approvals)',
  help: HELP,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    if (sub !== 'generate') throw new UsageError("expected 'generate'");
    const { values } = parseArgs({ args: rest, options: { approvals: { type: 'boolean', default: false }, relay: { type: 'boolean', default: false }, out: { type: 'string' } }, strict: true });
    if (values.approvals === values.relay) throw new UsageError('say which key: --approvals or --relay');
    if (!values.out) throw new UsageError('--out FILE is required');
    const pair = generateEd25519KeyPair();
    try {
      writeKeyPairFile(values.out, pair);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError('key-unwritable', `cannot write ${values.out}: ${code === 'EEXIST' ? 'file exists (not overwritten)' : (code ?? (err as Error).message)}`, EXIT.other);
    }
    ctx.stdout.write(`${values.approvals ? 'approvals' : 'relay'} key written to ${values.out} (mode 0600)\npublic key: ${pair.publicKey}\nfingerprint: ${keyFingerprint(pair.publicKey)}\n`);
    return EXIT.ok;
  },
};
export default command;
