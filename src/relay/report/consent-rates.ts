// Issue 20: how users answered, as shares that add up to exactly 100 %. Only
// requests a person at the device could decide count: accepted, partly
// accepted, declined, expired, no user present. Sessions a manager approval or
// an emergency started are counted beside them, never as a user's consent.
import type { SessionView } from '../audit/session-projection.js';

export const CONSENT_CATEGORIES = ['accepted', 'partial', 'declined', 'expired', 'noUserPresent'] as const;
export type ConsentCategory = (typeof CONSENT_CATEGORIES)[number];

export interface ConsentRates {
  /** Requests in the five categories (the 100 %). */
  base: number;
  /** Each category's count and share in percent to one decimal; the shares sum to exactly 100.0 (or all 0 without a base). */
  shares: Array<{ category: ConsentCategory; count: number; percent: number }>;
  /** Apart from user consent: started on a manager approval (nobody answered, headless, screen locked), or an emergency. */
  byApproval: number;
  byEmergency: number;
  /** Requests a manager approved that the user at the device declined (the approval was not used): in `declined`. */
  approvalDeclinedByUser: number;
}

const CATEGORY_OF: Partial<Record<NonNullable<SessionView['outcome']>, ConsentCategory>> = {
  accepted: 'accepted',
  partial: 'partial',
  declined: 'declined',
  expired: 'expired',
  'no-user-present': 'noUserPresent',
};

export function consentRates(month: readonly SessionView[]): ConsentRates {
  const counts: Record<ConsentCategory, number> = { accepted: 0, partial: 0, declined: 0, expired: 0, noUserPresent: 0 };
  let byApproval = 0;
  let byEmergency = 0;
  let approvalDeclinedByUser = 0;
  for (const v of month) {
    const category = v.outcome === null ? undefined : CATEGORY_OF[v.outcome];
    if (category === undefined) continue;
    if (v.decidedBy === 'approval') byApproval++;
    else if (v.decidedBy === 'emergency') byEmergency++;
    else {
      counts[category]++;
      if (v.decisionCode === 'approval-not-used') approvalDeclinedByUser++;
    }
  }
  const base = CONSENT_CATEGORIES.reduce((n, c) => n + counts[c], 0);
  const tenths = largestRemainder(CONSENT_CATEGORIES.map((c) => counts[c]), base, 1000);
  const shares = CONSENT_CATEGORIES.map((category, i) => ({ category, count: counts[category], percent: tenths[i]! / 10 }));
  return { base, shares, byApproval, byEmergency, approvalDeclinedByUser };
}

/**
 * Whole units of `total` for each count's share of `base` (Hamilton's method): floor every exact share, then hand
 * the units left over to the largest fractions (ties to the earlier category), so the parts sum to `total` exactly.
 */
export function largestRemainder(counts: readonly number[], base: number, total: number): number[] {
  if (base === 0) return counts.map(() => 0);
  const exact = counts.map((c) => (c * total) / base);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, frac: e - Math.floor(e) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i]! += 1;
    left--;
  }
  return parts;
}
