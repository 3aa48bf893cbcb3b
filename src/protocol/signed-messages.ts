// Building and checking the signed parts of the protocol: the relay's session
// and scope requests and the IT approvals token (the agent's hello proof: hello-proof.ts).
// Verification of freshness, binding and replay is the receiver's job
// (src/core/verification); this file only answers "is the signature good".
import { canonicalize } from './canonical-json.js';
import { sha256Hex, SIGNING_CONTEXTS, signPayload, verifyPayload, type Ed25519KeyPair } from './signing.js';
import type { ApprovalPayload, ApprovalToken } from './approval.js';
import { newMessageId } from './frame.js';
import type { AgreedWindow, Message, ScheduleRequestPayload, ScopeRequestPayload, SessionRequestPayload, SignedAgreedWindow, WindowRevocation } from './messages.js';

export function signSessionRequest(payload: SessionRequestPayload, relayKey: Ed25519KeyPair): Message<'session.request'> {
  return { v: 1, type: 'session.request', id: newMessageId(), payload, sig: signPayload(SIGNING_CONTEXTS.sessionRequest, payload, relayKey) };
}

export function verifySessionRequestSignature(msg: Message<'session.request'>, relayPublicKey: string): boolean {
  return verifyPayload(SIGNING_CONTEXTS.sessionRequest, msg.payload, msg.sig, relayPublicKey);
}

export function signScopeRequest(payload: ScopeRequestPayload, relayKey: Ed25519KeyPair): Message<'session.scope-request'> {
  return { v: 1, type: 'session.scope-request', id: newMessageId(), payload, sig: signPayload(SIGNING_CONTEXTS.scopeRequest, payload, relayKey) };
}

export function verifyScopeRequestSignature(msg: Message<'session.scope-request'>, relayPublicKey: string): boolean {
  return verifyPayload(SIGNING_CONTEXTS.scopeRequest, msg.payload, msg.sig, relayPublicKey);
}

export function signApprovalToken(payload: ApprovalPayload, approvalsKey: Ed25519KeyPair): ApprovalToken {
  return { payload, sig: signPayload(SIGNING_CONTEXTS.approval, payload, approvalsKey) };
}

export function verifyApprovalTokenSignature(token: ApprovalToken, approvalsPublicKey: string): boolean {
  return verifyPayload(SIGNING_CONTEXTS.approval, token.payload, token.sig, approvalsPublicKey);
}

export function signScheduleRequest(payload: ScheduleRequestPayload, relayKey: Ed25519KeyPair): Message<'schedule.request'> {
  return { v: 1, type: 'schedule.request', id: newMessageId(), payload, sig: signPayload(SIGNING_CONTEXTS.scheduleRequest, payload, relayKey) };
}

export function verifyScheduleRequestSignature(msg: Message<'schedule.request'>, relayPublicKey: string): boolean {
  return verifyPayload(SIGNING_CONTEXTS.scheduleRequest, msg.payload, msg.sig, relayPublicKey);
}

/** The device key's signature on an agreed window (issue 20). */
export function signAgreedWindow(window: AgreedWindow, deviceKey: Ed25519KeyPair): SignedAgreedWindow {
  return { window, sig: signPayload(SIGNING_CONTEXTS.agreedWindow, window, deviceKey) };
}

export function verifyAgreedWindowSignature(signed: SignedAgreedWindow, devicePublicKey: string): boolean {
  return verifyPayload(SIGNING_CONTEXTS.agreedWindow, signed.window, signed.sig, devicePublicKey);
}

export function signWindowRevocation(revocation: WindowRevocation, deviceKey: Ed25519KeyPair): string {
  return signPayload(SIGNING_CONTEXTS.windowRevocation, revocation, deviceKey);
}

export function verifyWindowRevocationSignature(msg: Message<'schedule.revoked'>, devicePublicKey: string): boolean {
  return verifyPayload(SIGNING_CONTEXTS.windowRevocation, msg.revocation, msg.sig, devicePublicKey);
}

/**
 * Which approval token this is: sha256 of its canonical JSON. The agent's audit names it, the agent counts its
 * uses under it and the relay does too, so all three match the token IT issued.
 */
export function approvalTokenSha256(token: ApprovalToken): string {
  return sha256Hex(canonicalize(token));
}
