// A realistic settings view (as main's settings-rows.ts builds it): IT locked
// the longest session and set the relay; the rest are defaults or the user's.
import type { SettingRow, SettingsView } from '../../src/shared/settings-view.js';
import { HOSTILE } from './sample-views.js';

export function settingsView(overrides: Partial<SettingsView> = {}): SettingsView {
  const rows: SettingRow[] = [
    { id: 'startAtLogin', kind: 'toggle', value: true, source: 'default', locked: false, editable: true },
    { id: 'promptTimeoutSec', kind: 'number', value: 45, min: 15, max: 60, unit: 'seconds', source: 'user', locked: false, editable: true },
    { id: 'maxSessionMinutes', kind: 'number', value: 30, min: 1, max: 1440, unit: 'minutes', source: 'managed', locked: true, editable: false },
    { id: 'allowedScopes', kind: 'scopes', value: ['view', 'control', 'file-transfer'], options: ['view', 'control', 'admin', 'file-transfer'], source: 'user', locked: false, editable: true },
    { id: 'relayUrl', kind: 'text', value: 'wss://relay.example.com:7443', source: 'managed', locked: true, editable: false },
    { id: 'relayKeyFingerprint', kind: 'text', value: 'K7QF-2M9X-ABCD-EFGH-IJKL', source: 'managed', locked: true, editable: false },
    { id: 'approvalsKeyFingerprint', kind: 'text', value: null, source: 'default', locked: false, editable: false },
    { id: 'relayTlsPin', kind: 'text', value: null, source: 'default', locked: false, editable: false },
    { id: 'unattendedAllowed', kind: 'toggle', value: true, source: 'managed', locked: true, editable: false },
    { id: 'emergencyAllowed', kind: 'toggle', value: false, source: 'default', locked: false, editable: false },
    { id: 'fileTransferMaxBytes', kind: 'bytes', value: 100 * 1024 * 1024, source: 'default', locked: false, editable: false },
    { id: 'fileTransferRequireTicket', kind: 'toggle', value: true, source: 'default', locked: false, editable: false },
    { id: 'retentionDays', kind: 'number', value: 90, min: 30, max: 3650, unit: 'days', source: 'default', locked: false, editable: false },
    { id: 'allowQuit', kind: 'toggle', value: false, source: 'managed', locked: true, editable: false },
    { id: 'itDisplayName', kind: 'text', value: 'Robinson Park IT', source: 'managed', locked: true, editable: false },
    { id: 'itConsentLine', kind: 'text', value: 'Robinson Park IT will never ask for your password.', source: 'managed', locked: true, editable: false },
    { id: 'itSupportPhone', kind: 'text', value: null, source: 'default', locked: false, editable: false },
  ];
  return { rows, problems: [], ...overrides };
}

/** Markup in every free-text value: the relay URL, a fingerprint, the TLS pin and a policy problem. */
export function hostileSettingsView(): SettingsView {
  const base = settingsView();
  const text = (id: SettingRow['id'], label: string): SettingRow => ({ id, kind: 'text', value: `${label} ${HOSTILE}`, source: 'managed', locked: true, editable: false });
  return {
    rows: base.rows.map((r) => (r.id === 'relayUrl' ? text('relayUrl', 'relay') : r.id === 'relayKeyFingerprint' ? text('relayKeyFingerprint', 'fingerprint') : r.id === 'relayTlsPin' ? text('relayTlsPin', 'pin') : r)),
    problems: [`problem ${HOSTILE}`],
  };
}
