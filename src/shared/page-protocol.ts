// The part of the wire protocol that renderer pages may see: scope names, their
// display order and risk, the identifier rule a page checks a prompt id with, and the
// warnings the text policy raises for a name (mixed scripts, confusables).
// Pages import src/shared only (eslint.config.js); this file is that one window.
export { HIGH_RISK_SCOPES, SCOPES, sortScopes, type Scope } from '../protocol/scopes.js';
export { identifier } from '../protocol/primitives.js';
export { identityWarnings } from '../protocol/mixed-script.js';
