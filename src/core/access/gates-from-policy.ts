// The gates IT policy configures, bound to their scopes. Only the effective
// policy (managed or local admin config) reaches here; nothing from the relay.
import type { Scope } from '../../protocol/scopes.js';
import type { RecordThenSend } from '../audit/record-then-send.js';
import type { Policy } from '../policy/schema.js';
import { CommandGate } from './command-gate.js';
import type { GateBinding } from './gate-set.js';

export function gatesFromPolicy(policy: Pick<Policy, 'accessHooks'>, audited: RecordThenSend): GateBinding[] {
  const bindings: GateBinding[] = [];
  const hooks = policy.accessHooks;
  if (hooks && Object.keys(hooks).length > 0) {
    const gate = new CommandGate({ hooks, recordRun: (fields) => audited.recordOnly('hook.ran', fields) });
    for (const scope of Object.keys(hooks) as Scope[]) bindings.push({ scope, gate });
  }
  return bindings;
}
