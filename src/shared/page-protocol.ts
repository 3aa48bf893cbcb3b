// The part of the wire protocol that renderer pages may see: scope names, their
// display order and risk, and the identifier rule a page checks a prompt id with.
// Pages import src/shared only (eslint.config.js); this file is that one window.
export { HIGH_RISK_SCOPES, SCOPES, sortScopes, type Scope } from '../protocol/scopes.js';
export { identifier } from '../protocol/primitives.js';
