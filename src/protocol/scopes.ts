// The fixed set of access scopes a technician can ask for (seed 002).

export const SCOPES = ['view', 'control', 'admin', 'file-transfer'] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes that let the technician act as the user or beyond: shown as higher risk, never pre-ticked. */
export const HIGH_RISK_SCOPES: readonly Scope[] = ['control', 'admin', 'file-transfer'];

/** Stable order for display and comparison. */
export function sortScopes(scopes: Iterable<Scope>): Scope[] {
  const set = new Set(scopes);
  return SCOPES.filter((s) => set.has(s));
}
