// Node-side entry point of the protocol module. Browser code (technician
// console, renderer) imports messages.ts / frame.ts directly: signing uses node:crypto.
export * from './approval.js';
export * from './canonical-json.js';
export * from './close-codes.js';
export * from './error-codes.js';
export * from './frame.js';
export * from './limits.js';
export * from './messages.js';
export * from './mixed-script.js';
export * from './primitives.js';
export * from './scopes.js';
export * from './signed-messages.js';
export * from './hello-proof.js';
export * from './channel-binding.js';
export * from './device-signatures.js';
export * from './signing.js';
export * from './text-policy.js';
export * from './channel-frame.js';
