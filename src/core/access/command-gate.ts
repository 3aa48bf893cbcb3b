// Admin hooks: IT's own commands (argv from policy, absolute path, no shell)
// run on grant and on revoke of a scope, e.g. add a temporary admin account to
// a group and take it out again. Exit status 0 = applied; anything else, a
// timeout or a missing executable = the gate failed. Every run is audited with
// its bounded output. Session facts reach the hook only as environment values.
import type { Scope } from '../../protocol/scopes.js';
import type { AccessHook } from '../policy/schema.js';
import { GateError, type AccessGate, type GateSession } from './access-gate.js';
import { hookEnvironment, runHook, type HookResult } from './run-hook.js';

export interface CommandGateDeps {
  hooks: Partial<Record<Scope, AccessHook>>;
  /** Records one hook run (bounded output included); awaited before the gate answers. */
  recordRun: (fields: Record<string, unknown>) => Promise<void>;
}

export class CommandGate implements AccessGate {
  readonly name = 'command';
  /** Scopes whose grant hook succeeded, per session: what end() must close. */
  private readonly open = new Map<string, Set<Scope>>();

  constructor(private readonly d: CommandGateDeps) {}

  scopes(): Scope[] {
    return Object.keys(this.d.hooks) as Scope[];
  }

  async grant(session: GateSession, scope: Scope): Promise<void> {
    await this.run(session, scope, 'grant');
    const open = this.open.get(session.sessionId) ?? new Set<Scope>();
    open.add(scope);
    this.open.set(session.sessionId, open);
  }

  /** Runs the revoke hook even if this process never saw the grant (restart recovery): hooks must be idempotent. */
  async revoke(session: GateSession, scope: Scope): Promise<void> {
    this.open.get(session.sessionId)?.delete(scope);
    await this.run(session, scope, 'revoke');
  }

  async end(session: GateSession): Promise<void> {
    const open = [...(this.open.get(session.sessionId) ?? [])];
    this.open.delete(session.sessionId);
    const failures: GateError[] = [];
    for (const scope of open) {
      try {
        await this.run(session, scope, 'revoke');
      } catch (e) {
        failures.push(e as GateError);
      }
    }
    if (failures.length > 0) throw failures[0]!;
  }

  private async run(session: GateSession, scope: Scope, action: 'grant' | 'revoke'): Promise<void> {
    const hook = this.d.hooks[scope];
    if (!hook) return;
    const argv = hook[action];
    const env = hookEnvironment({
      PORCHLIGHT_ACTION: action,
      PORCHLIGHT_SCOPE: scope,
      PORCHLIGHT_SESSION_ID: session.sessionId,
      PORCHLIGHT_TICKET_ID: session.ticketId,
      PORCHLIGHT_TECHNICIAN_ID: session.technicianId,
      PORCHLIGHT_DEVICE_ID: session.deviceId,
    });
    const result = await runHook({ argv, env, timeoutMs: hook.timeoutSec * 1000 });
    const facts = runFacts(result);
    await this.d.recordRun({ sessionId: session.sessionId, ticketId: session.ticketId, scope, action, argv, ...facts });
    const failure = failureOf(result, hook.timeoutSec);
    if (failure) throw new GateError(failure.code, this.name, `${action} hook for ${scope}: ${failure.detail}`, facts);
  }
}

function runFacts(r: HookResult): Record<string, unknown> {
  return {
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    spawnError: r.spawnError,
    stdout: r.stdout,
    stderr: r.stderr,
    droppedBytes: r.droppedBytes,
    durationMs: r.durationMs,
  };
}

function failureOf(r: HookResult, timeoutSec: number): { code: GateError['code']; detail: string } | undefined {
  if (r.timedOut) return { code: 'gate-timeout', detail: `did not finish within ${timeoutSec} s and was killed` };
  if (r.spawnError !== undefined) return { code: 'gate-unavailable', detail: `could not be started (${r.spawnError})` };
  if (r.exitCode !== 0) return { code: 'gate-failed', detail: `exited with ${r.exitCode ?? r.signal}` };
  return undefined;
}
