// Which gate serves which scope (from IT policy only), and the one place that
// opens and closes access through them: intent recorded durably before a gate
// runs (so a crash can be undone at the next start), every failure audited and
// told to the user in words. A scope without a gate is consent-only, as before.
import { sortScopes, type Scope } from '../../protocol/scopes.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import type { UiPort } from '../ui-port.js';
import { asGateError, type AccessGate, type GateError, type GateSession } from './access-gate.js';
import { gateFailureText } from './gate-failure-text.js';

/** One gate serving one scope. A scope may have several gates; all must apply. */
export interface GateBinding {
  scope: Scope;
  gate: AccessGate;
}

export interface ScopeFailure {
  scope: Scope;
  error: GateError;
}

export interface GrantResult {
  /** Scopes every gate applied (or that have no gate): these may be reported as granted. */
  applied: Scope[];
  failed: ScopeFailure[];
}

export class GateSet {
  private readonly byScope = new Map<Scope, AccessGate[]>();

  constructor(
    bindings: readonly GateBinding[],
    private readonly audited: RecordThenSend,
    private readonly ui: Pick<UiPort, 'notify'>,
  ) {
    for (const { scope, gate } of bindings) this.byScope.set(scope, [...(this.byScope.get(scope) ?? []), gate]);
  }

  /** The scope is enforced by at least one gate (not consent-only). */
  guards(scope: Scope): boolean {
    return (this.byScope.get(scope)?.length ?? 0) > 0;
  }

  get anyGates(): boolean {
    return this.byScope.size > 0;
  }

  /** Apply each scope through its gates; a scope fails whole if any of its gates fails. */
  async grant(session: GateSession, scopes: readonly Scope[]): Promise<GrantResult> {
    const applied: Scope[] = [];
    const failed: ScopeFailure[] = [];
    for (const scope of sortScopes(scopes)) {
      const error = await this.grantOne(session, scope);
      if (error) failed.push({ scope, error });
      else applied.push(scope);
    }
    if (failed.length > 0) this.tellUser(session, 'grant', failed);
    return { applied, failed };
  }

  /** Close one scope through its gates; returns the failures (already audited and told). */
  async revoke(session: GateSession, scope: Scope): Promise<ScopeFailure[]> {
    const failed = await this.closeScope(session, scope);
    if (failed.length > 0) this.tellUser(session, 'revoke', failed);
    return failed;
  }

  /** Close everything every gate opened for the session; records `gate.session-closed` only when all closed. */
  async end(session: GateSession): Promise<ScopeFailure[]> {
    if (!this.anyGates) return [];
    const failed = await this.endGates(session);
    await this.closeOut(session, failed);
    return failed;
  }

  /** Close the given scopes, then the whole session (at start, for sessions the log shows left open). */
  async closeLeftOpen(session: GateSession, scopes: readonly Scope[]): Promise<ScopeFailure[]> {
    const failed: ScopeFailure[] = [];
    for (const scope of scopes) failed.push(...(await this.closeScope(session, scope)));
    failed.push(...(await this.endGates(session)));
    await this.closeOut(session, failed);
    return failed;
  }

  private async endGates(session: GateSession): Promise<ScopeFailure[]> {
    const failed: ScopeFailure[] = [];
    for (const [gate, scopes] of this.gatesWithScopes()) {
      const error = await this.attempt(gate, () => gate.end(session));
      if (!error) continue;
      for (const scope of scopes) await this.record('gate.close-failed', session, scope, gate, error);
      failed.push(...scopes.map((scope) => ({ scope, error })));
    }
    return failed;
  }

  private async closeScope(session: GateSession, scope: Scope): Promise<ScopeFailure[]> {
    const failed: ScopeFailure[] = [];
    for (const gate of this.byScope.get(scope) ?? []) {
      const error = await this.attempt(gate, () => gate.revoke(session, scope));
      await this.record(error ? 'gate.close-failed' : 'gate.closed', session, scope, gate, error);
      if (error) failed.push({ scope, error });
    }
    return failed;
  }

  /** Each gate once, with the scopes it serves (one gate may serve several). */
  private gatesWithScopes(): Map<AccessGate, Scope[]> {
    const out = new Map<AccessGate, Scope[]>();
    for (const [scope, gates] of this.byScope) for (const g of gates) out.set(g, [...(out.get(g) ?? []), scope]);
    return out;
  }

  private async closeOut(session: GateSession, failed: ScopeFailure[]): Promise<void> {
    if (failed.length === 0) {
      await this.audited.recordOnly('gate.session-closed', { ...sessionFields(session) });
      return;
    }
    this.tellUser(session, 'revoke', failed);
  }

  private async grantOne(session: GateSession, scope: Scope): Promise<GateError | undefined> {
    const opened: AccessGate[] = [];
    for (const gate of this.byScope.get(scope) ?? []) {
      // Durable intent first: if the agent dies while the gate runs, the next start closes it.
      if (!(await this.audited.record('gate.opening', { ...sessionFields(session), scope, gate: gate.name }))) {
        await this.undo(session, scope, opened);
        return asGateError(gate.name, new Error('the audit log could not be written'));
      }
      const error = await this.attempt(gate, () => gate.grant(session, scope));
      await this.record(error ? 'gate.failed' : 'gate.opened', session, scope, gate, error);
      if (error) {
        // A failed grant may have half-applied: close this gate too, then the ones already opened.
        await this.undo(session, scope, [...opened, gate]);
        return error;
      }
      opened.push(gate);
    }
    return undefined;
  }

  private async undo(session: GateSession, scope: Scope, gates: readonly AccessGate[]): Promise<void> {
    for (const gate of gates) {
      const error = await this.attempt(gate, () => gate.revoke(session, scope));
      await this.record(error ? 'gate.close-failed' : 'gate.closed', session, scope, gate, error);
      if (error) this.tellUser(session, 'revoke', [{ scope, error }]);
    }
  }

  private async attempt(gate: AccessGate, work: () => Promise<void>): Promise<GateError | undefined> {
    try {
      await work();
      return undefined;
    } catch (e) {
      return asGateError(gate.name, e);
    }
  }

  private async record(type: string, s: GateSession, scope: Scope, gate?: AccessGate, error?: GateError): Promise<void> {
    const failure = error ? { code: error.code, detail: error.message, ...error.details } : {};
    await this.audited.recordOnly(type, { ...sessionFields(s), scope, gate: gate?.name ?? error?.gate, ...failure });
  }

  private tellUser(session: GateSession, action: 'grant' | 'revoke', failed: readonly ScopeFailure[]): void {
    this.ui.notify({ kind: 'info', ...gateFailureText(session, action, failed.map((f) => f.scope)) });
  }
}

function sessionFields(s: GateSession) {
  return {
    sessionId: s.sessionId,
    ticketId: s.ticketId,
    technicianId: s.technicianId,
    technicianName: s.technicianName,
    deviceId: s.deviceId,
  };
}
