// The settings window's rows, from the Settings object: each key's effective
// value, where it came from (default, the person's preference, or IT), whether
// IT locked it, and for the editable ones the bounds a preference may take.
// A preference can only narrow policy (see core merge), so a number's maximum
// and the scopes on offer are the defaults, never more.
import { DEFAULT_POLICY, policySchema, relayUrlsOf, type Policy, type PolicyKey } from '../core/policy/schema.js';
import { UNSAFE_LINE_CHARS } from '../protocol/primitives.js';
import { keyFingerprint } from '../protocol/signing.js';
import { SETTING_ROW_IDS, WINDOW_EDITABLE_KEYS, type SettingRow, type SettingRowId, type SettingSource, type SettingsView } from '../shared/settings-view.js';
import type { Settings } from './settings.js';

export type SettingsReader = Pick<Settings, 'entries' | 'effective' | 'isPolicyKeyLocked'>;

/** One line of display text: no control or bidi characters, bounded. */
function line(text: string, max: number): string {
  return text.replace(UNSAFE_LINE_CHARS, ' ').slice(0, max);
}

function orNull(text: string | undefined): string | null {
  if (text === undefined) return null;
  const clean = line(text, 2048);
  return clean.trim() === '' ? null : clean;
}

const POLICY_KEY_OF: Record<SettingRowId, PolicyKey> = {
  startAtLogin: 'startAtLogin',
  promptTimeoutSec: 'promptTimeoutSec',
  maxSessionMinutes: 'maxSessionMinutes',
  allowedScopes: 'allowedScopes',
  relayUrl: 'relayUrl',
  relayKeyFingerprint: 'relayPublicKey',
  approvalsKeyFingerprint: 'approvalsPublicKey',
  relayTlsPin: 'relayTlsPin',
  unattendedAllowed: 'unattendedAllowed',
  emergencyAllowed: 'emergencyAllowed',
  fileTransferMaxBytes: 'fileTransfer',
  fileTransferRequireTicket: 'fileTransfer',
  retentionDays: 'retentionDays',
  allowQuit: 'allowQuit',
  itDisplayName: 'itDisplayName',
  itConsentLine: 'itConsentLine',
  itSupportPhone: 'itSupportPhone',
};

function bounds(key: 'promptTimeoutSec' | 'maxSessionMinutes' | 'retentionDays'): { min: number; max: number } {
  const schema = policySchema.shape[key];
  return { min: schema.minValue ?? 0, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER };
}

function row(id: SettingRowId, policy: Policy, meta: { source: SettingSource; locked: boolean; editable: boolean }): SettingRow {
  switch (id) {
    case 'startAtLogin':
    case 'unattendedAllowed':
    case 'emergencyAllowed':
    case 'allowQuit':
      return { id, ...meta, kind: 'toggle', value: policy[id] };
    case 'fileTransferRequireTicket':
      return { id, ...meta, kind: 'toggle', value: policy.fileTransfer.requireTicket };
    case 'promptTimeoutSec':
    case 'maxSessionMinutes': {
      const b = bounds(id);
      // Editable: from the schema minimum up to the default (a longer value would not apply).
      const max = meta.editable ? Math.max(b.min, DEFAULT_POLICY[id]) : b.max;
      return { id, ...meta, kind: 'number', value: policy[id], min: b.min, max, unit: id === 'promptTimeoutSec' ? 'seconds' : 'minutes' };
    }
    case 'retentionDays':
      return { id, ...meta, kind: 'number', value: policy.retentionDays, ...bounds(id), unit: 'days' };
    case 'fileTransferMaxBytes':
      return { id, ...meta, kind: 'bytes', value: policy.fileTransfer.maxBytes };
    case 'allowedScopes':
      return { id, ...meta, kind: 'scopes', value: policy.allowedScopes, options: meta.editable ? DEFAULT_POLICY.allowedScopes : policy.allowedScopes };
    case 'relayUrl':
      // With failover instances, all of them in the order the agent tries them.
      return { id, ...meta, kind: 'text', value: orNull(relayUrlsOf(policy).join(', ')) };
    case 'relayKeyFingerprint':
      return { id, ...meta, kind: 'text', value: policy.relayPublicKey ? keyFingerprint(policy.relayPublicKey) : null };
    case 'approvalsKeyFingerprint':
      return { id, ...meta, kind: 'text', value: policy.approvalsPublicKey ? keyFingerprint(policy.approvalsPublicKey) : null };
    case 'relayTlsPin':
    case 'itDisplayName':
    case 'itConsentLine':
    case 'itSupportPhone':
      // IT's wording passed the policy's text rules already; shown exactly as the consent dialog shows it.
      return { id, ...meta, kind: 'text', value: orNull(policy[id]) };
  }
}

/** One row of the settings view, or every row. */
export function settingsRow(settings: SettingsReader, id: SettingRowId): SettingRow {
  const { policy } = settings.effective();
  const key = POLICY_KEY_OF[id];
  const entry = settings.entries().find((e) => e.key === key);
  const locked = entry ? entry.locked : settings.isPolicyKeyLocked(key);
  const source: SettingSource = entry ? entry.source : locked ? 'managed' : 'default';
  const editable = !locked && (WINDOW_EDITABLE_KEYS as readonly string[]).includes(id);
  return row(id, policy, { source, locked, editable });
}

export function settingsView(settings: SettingsReader): SettingsView {
  const problems = settings
    .effective()
    .problems.map((p) => line(p, 500))
    .filter((p) => p.trim() !== '')
    .slice(0, 10);
  return { rows: SETTING_ROW_IDS.map((id) => settingsRow(settings, id)), problems };
}
