// How each scope is named on the console's screen.
import type { Scope } from '../../protocol/scopes.js';

export const SCOPE_LABELS: Record<Scope, string> = { view: 'View', control: 'Control', admin: 'Admin', 'file-transfer': 'File transfer' };
