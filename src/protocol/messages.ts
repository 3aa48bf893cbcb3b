// Wire protocol v1: every message is `{v: 1, type, id, ...}` in one JSON text
// frame. Objects are strict: unknown keys are an error, not ignored.
// Browser-safe (no Node imports): the technician console bundles it.
// Agent -> relay messages that follow a durable audit record carry `audit`
// (that record's seq and hash) as an anchor the relay keeps.
// The schemas live in messages/, one file per stage of a session; this file is the
// registry (type -> schema) and who may send what.
export * from './messages/connection.js';
export * from './messages/session-request.js';
export * from './messages/live-session.js';
export * from './messages/data-channel.js';
export * from './messages/session-end.js';
export * from './messages/ticket-and-errors.js';
export * from './messages/records.js';
export * from './messages/schedule.js';
import type { agentHelloSchema } from './messages/connection.js';
import { challengeSchema, deviceKeySchema, devicesSchema, helloSchema, techDeviceKeySchema, techDevicesSchema, welcomeSchema } from './messages/connection.js';
import { sessionCancelSchema, sessionDecisionSchema, sessionPendingSchema, sessionRequestSchema, techRequestSchema } from './messages/session-request.js';
import { sessionFileTransferResultSchema, sessionFileTransferSchema, sessionNarrationSchema, sessionNoteSchema, sessionScopeRequestSchema, sessionUserMessageSchema, sessionScopeUpdateSchema, sessionStartedSchema, techScopeRequestSchema } from './messages/live-session.js';
import { channelCloseSchema, channelOpenSchema, channelOpenedSchema } from './messages/data-channel.js';
import { sessionEndSchema, sessionResolutionSchema, sessionSummarySchema } from './messages/session-end.js';
import { errorSchema, techCloseSchema, techClosedSchema } from './messages/ticket-and-errors.js';
import { sessionLateSchema, sessionRecordedSchema } from './messages/records.js';
import { scheduleDecisionSchema, scheduleRequestSchema, scheduleRevokedSchema, techScheduleSchema } from './messages/schedule.js';
import type { z } from 'zod';
import type {
  technician,
  ticket} from './primitives.js';

// ---- registry ----------------------------------------------------------------------

export const MESSAGE_SCHEMAS = {
  challenge: challengeSchema,
  hello: helloSchema,
  welcome: welcomeSchema,
  'tech.device-key': techDeviceKeySchema,
  'device.key': deviceKeySchema,
  'tech.devices': techDevicesSchema,
  devices: devicesSchema,
  'tech.request': techRequestSchema,
  'session.pending': sessionPendingSchema,
  'session.request': sessionRequestSchema,
  'session.cancel': sessionCancelSchema,
  'session.decision': sessionDecisionSchema,
  'session.started': sessionStartedSchema,
  'session.narration': sessionNarrationSchema,
  'session.user-message': sessionUserMessageSchema,
  'session.note': sessionNoteSchema,
  'tech.scope-request': techScopeRequestSchema,
  'session.scope-request': sessionScopeRequestSchema,
  'session.scope-update': sessionScopeUpdateSchema,
  'session.file-transfer': sessionFileTransferSchema,
  'session.file-transfer-result': sessionFileTransferResultSchema,
  'session.end': sessionEndSchema,
  'session.summary': sessionSummarySchema,
  'session.resolution': sessionResolutionSchema,
  'tech.schedule': techScheduleSchema,
  'schedule.request': scheduleRequestSchema,
  'schedule.decision': scheduleDecisionSchema,
  'schedule.revoked': scheduleRevokedSchema,
  'session.recorded': sessionRecordedSchema,
  'session.late': sessionLateSchema,
  'channel.open': channelOpenSchema,
  'channel.opened': channelOpenedSchema,
  'channel.close': channelCloseSchema,
  'tech.close': techCloseSchema,
  'tech.closed': techClosedSchema,
  error: errorSchema,
} as const;

export type MessageType = keyof typeof MESSAGE_SCHEMAS;
export const MESSAGE_TYPES = Object.keys(MESSAGE_SCHEMAS) as readonly MessageType[];

/** The message of a given type, e.g. `Message<'session.request'>`. */
export type Message<T extends MessageType = MessageType> = T extends MessageType ? z.infer<(typeof MESSAGE_SCHEMAS)[T]> : never;
export type AgentHello = z.infer<typeof agentHelloSchema>;
export type Technician = z.infer<typeof technician>;
export type Ticket = z.infer<typeof ticket>;

/** What each peer may send (the receiver answers anything else with `unexpected-type`). */
export const ACCEPTED_BY = {
  /** Frames the relay accepts from an agent. */
  relayFromAgent: ['hello', 'session.decision', 'session.started', 'session.user-message', 'session.scope-update', 'session.file-transfer-result', 'session.end', 'session.summary', 'session.resolution', 'session.late', 'schedule.decision', 'schedule.revoked', 'channel.opened', 'channel.close', 'error'],
  /** Frames the relay accepts from a technician. */
  relayFromTechnician: ['hello', 'tech.device-key', 'tech.devices', 'tech.request', 'session.cancel', 'session.narration', 'session.note', 'tech.scope-request', 'session.file-transfer', 'session.end', 'tech.schedule', 'channel.open', 'channel.close', 'tech.close', 'error'],
  /** Frames the agent accepts from the relay. */
  agentFromRelay: ['challenge', 'welcome', 'session.request', 'schedule.request', 'session.cancel', 'session.recorded', 'session.narration', 'session.note', 'session.scope-request', 'session.file-transfer', 'session.end', 'channel.open', 'channel.close', 'error'],
  /** Frames a technician accepts from the relay. */
  technicianFromRelay: ['welcome', 'device.key', 'devices', 'session.pending', 'session.decision', 'session.started', 'session.user-message', 'session.scope-update', 'session.file-transfer-result', 'session.end', 'session.summary', 'session.resolution', 'schedule.decision', 'schedule.revoked', 'channel.opened', 'channel.close', 'tech.closed', 'error'],
} as const satisfies Record<string, readonly MessageType[]>;
