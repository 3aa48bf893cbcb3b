// Every subcommand, loaded lazily so `porchlight --help` stays fast.
import type { Command } from './command.js';

export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  relay: { summary: 'run the reference relay, and its admin subcommands', load: async () => (await import('./commands/relay.js')).default },
  request: { summary: 'ask a device for a support session (technician side)', load: async () => (await import('./commands/request.js')).default },
  session: { summary: 'close a ticket\'s session with an outcome', load: async () => (await import('./commands/session.js')).default },
  approve: { summary: 'sign an unattended-access approval token (IT approvals key)', load: async () => (await import('./commands/approve.js')).default },
  keys: { summary: 'generate signing keys (relay, approvals)', load: async () => (await import('./commands/keys.js')).default },
  agent: { summary: 'run the agent (headless daemon mode)', load: async () => (await import('./commands/agent.js')).default },
  audit: { summary: 'verify or export the agent\'s audit log', load: async () => (await import('./commands/audit.js')).default },
  evidence: { summary: 'build or verify a per-ticket evidence bundle', load: async () => (await import('./commands/evidence.js')).default },
  report: { summary: 'monthly support report from the relay database', load: async () => (await import('./commands/report.js')).default },
  errors: { summary: 'list the protocol\'s stable error codes', load: async () => (await import('./commands/errors.js')).default },
};
