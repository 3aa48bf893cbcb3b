// Why a signed request was refused before anyone saw it.
import type { ErrorCode } from '../../protocol/error-codes.js';
import type { DecidedBy, Outcome } from '../../protocol/messages.js';

export interface Rejection {
  outcome: Extract<Outcome, 'blocked' | 'expired'>;
  decidedBy: Extract<DecidedBy, 'verification' | 'policy'>;
  code: ErrorCode;
  detail: string;
}

export const reject = (code: ErrorCode, detail: string, decidedBy: Rejection['decidedBy'] = 'verification'): Rejection => ({
  outcome: code === 'expired' ? 'expired' : 'blocked',
  decidedBy,
  code,
  detail,
});
