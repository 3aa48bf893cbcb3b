// The consent state machine of one request. Every move is checked against the
// table, so a grant can only come out of `prompting` (the user) or, for
// unattended requests, straight out of `verified` (approval or emergency).
export const CONSENT_STATES = [
  'received',
  'verified',
  'queued',
  'prompting',
  'accepted',
  'partial',
  'declined',
  'expired',
  'blocked',
  'no-user-present',
] as const;
export type ConsentState = (typeof CONSENT_STATES)[number];

const TRANSITIONS: Record<ConsentState, readonly ConsentState[]> = {
  received: ['verified', 'blocked', 'expired', 'declined'],
  verified: ['queued', 'accepted', 'declined', 'no-user-present'],
  queued: ['prompting', 'declined'],
  prompting: ['accepted', 'partial', 'declined'],
  accepted: [],
  partial: [],
  declined: [],
  expired: [],
  blocked: [],
  'no-user-present': [],
};

export class IllegalTransitionError extends Error {}

export class ConsentStateMachine {
  private current: ConsentState = 'received';
  readonly history: ConsentState[] = ['received'];

  get state(): ConsentState {
    return this.current;
  }

  get settled(): boolean {
    return TRANSITIONS[this.current].length === 0;
  }

  to(next: ConsentState): void {
    if (!TRANSITIONS[this.current].includes(next))
      throw new IllegalTransitionError(`consent: ${this.current} -> ${next} is not allowed`);
    this.current = next;
    this.history.push(next);
  }
}
