// Errors of building an evidence bundle, with stable codes for the CLI.
export type EvidenceErrorCode = 'no-records' | 'relay-chain-broken' | 'agent-log-tampered' | 'bundle-unreadable';

export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';
  constructor(
    readonly code: EvidenceErrorCode,
    message: string,
  ) {
    super(message);
  }
}
