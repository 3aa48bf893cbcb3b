// The fixed set of access scopes a technician can ask for (seed 002).

export const SCOPES = ['view', 'control', 'admin', 'file-transfer'] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes that give the technician more than sight and mouse: shown as higher risk. */
export const HIGH_RISK_SCOPES: readonly Scope[] = ['admin', 'file-transfer'];

/** Stable order for display and comparison. */
export function sortScopes(scopes: Iterable<Scope>): Scope[] {
  const set = new Set(scopes);
  return SCOPES.filter((s) => set.has(s));
}
