// Realistic views for the three pages, and hostile variants whose every
// free-text field carries markup (still valid for the schemas).
import type { BannerView, ConsentView, SummaryView } from '../../src/shared/view-models.js';

/** The pages' clock starts here in every test (page.clock). */
export const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const at = (sec: number) => new Date(T0 + sec * 1000).toISOString();

export function consentView(overrides: Partial<ConsentView> = {}): ConsentView {
  return {
    promptId: 'prompt-0001',
    kind: 'session',
    technician: { id: 'alice', name: 'Alice Moreau', group: 'helpdesk', org: 'Robinson Park IT' },
    ticket: { id: 'INC0012345', url: 'https://helpdesk.example.com/tickets/INC0012345' },
    reason: 'Outlook crashes when opening shared calendars.\nWe will check the add-ins and repair the profile.',
    scopes: ['view', 'control', 'file-transfer'],
    blockedScopes: ['admin'],
    mode: { kind: 'attended' },
    estimatedMinutes: 20,
    verificationCode: '482913',
    expiresAt: at(120),
    queued: 1,
    ...overrides,
  };
}

export function bannerView(overrides: Partial<BannerView> = {}): BannerView {
  return {
    sessionId: 'ses-0001',
    technician: { id: 'alice', name: 'Alice Moreau', group: 'helpdesk', org: 'Robinson Park IT' },
    ticket: { id: 'INC0012345', url: 'https://helpdesk.example.com/tickets/INC0012345' },
    mode: { kind: 'attended' },
    granted: ['view', 'control', 'file-transfer'],
    startedAt: at(-6 * 60),
    endsAt: at(14 * 60 + 30),
    latestNarration: { at: at(-20), text: 'Opening Outlook in safe mode to rule out the add-ins.' },
    ...overrides,
  };
}

export function summaryView(overrides: Partial<SummaryView> = {}): SummaryView {
  return {
    sessionId: 'ses-0001',
    technician: { id: 'alice', name: 'Alice Moreau', group: 'helpdesk', org: 'Robinson Park IT' },
    ticket: { id: 'INC0012345', url: 'https://helpdesk.example.com/tickets/INC0012345' },
    mode: 'attended',
    outcome: 'partial',
    endedBy: 'technician',
    startedAt: at(-18 * 60 - 42),
    endedAt: at(0),
    durationSec: 18 * 60 + 42,
    scopesGranted: ['view', 'control', 'file-transfer'],
    scopesUsed: ['view', 'control', 'file-transfer'],
    files: [
      { name: 'outlook-diagnostics.zip', size: 2_483_712, direction: 'from-device', sha256: 'a'.repeat(64), allowed: true },
      { name: 'CalendarFix-2.1.msi', size: 18_350_080, direction: 'to-device', sha256: 'b'.repeat(64), allowed: false },
    ],
    narration: [
      { at: at(-18 * 60), text: 'Hello! I can see your screen now.' },
      { at: at(-14 * 60), text: 'Opening Outlook in safe mode to rule out the add-ins.' },
      { at: at(-9 * 60), text: 'Disabled the "Calendar Sync" add-in; shared calendars open again.' },
      { at: at(-2 * 60), text: 'All done. I copied the diagnostics log to the ticket.' },
    ],
    ...overrides,
  };
}

/**
 * Markup that would run script (an alert the test records) or create elements if it were ever parsed as HTML. Short
 * enough that "name " + it fits the longest accepted name (MAX_NAME_LENGTH).
 */
export const HOSTILE = `<img src=x onerror=alert(1)><script>alert(1)</script><b>b`;
export const hostile = (label: string) => `${label} ${HOSTILE}`;

export function hostileConsentView(): ConsentView {
  return consentView({
    technician: { id: 'mallory', name: hostile('name'), group: 'helpdesk', org: hostile('org') },
    ticket: { id: 'INC0066666', url: 'https://helpdesk.example.com/t/?q=%3Cimg%20src=x%20onerror=alert(1)%3E' },
    reason: hostile('reason'),
    mode: { kind: 'emergency', justification: hostile('justification'), incident: hostile('incident') },
  });
}

export function hostileUnattendedConsentView(): ConsentView {
  // As the core builds it for a new session a manager approved: the approver is also named in the "you decide" line.
  return consentView({ technician: { id: 'mallory', name: hostile('name'), group: 'helpdesk' }, mode: { kind: 'unattended', approver: hostile('approver'), reference: hostile('reference') }, approvalIfNoAnswer: true });
}

export function hostileBannerView(): BannerView {
  return bannerView({
    technician: { id: 'mallory', name: hostile('name'), group: 'helpdesk', org: hostile('org') },
    mode: { kind: 'unattended', approver: hostile('approver'), reference: hostile('reference') },
    latestNarration: { at: at(-5), text: hostile('narration') },
    latestUserMessage: { at: at(-3), text: hostile('mine') },
  });
}

export function hostileSummaryView(): SummaryView {
  return summaryView({
    technician: { id: 'mallory', name: hostile('name'), group: 'helpdesk', org: hostile('org') },
    files: [{ name: hostile('file'), size: 10, direction: 'to-device', sha256: 'c'.repeat(64), allowed: true }],
    narration: [{ at: at(-5), text: hostile('narration') }, { at: at(-4), text: hostile('reply'), from: 'user' }],
    notes: [{ at: at(-4), text: hostile('note') }],
  });
}

/** The technician noted what they changed (`/note`): "What was changed". */
export function summaryWithNotes(): SummaryView {
  return summaryView({
    notes: [
      { at: at(-13 * 60), text: 'Ran outlook.exe /safe' },
      { at: at(-9 * 60), text: 'Disabled the COM add-in "Calendar Sync" (HKCU\\Software\\Microsoft\\Office\\Outlook\\Addins\\CalSync, LoadBehavior 3 -> 0)' },
      { at: at(-3 * 60), text: 'Cleared the Outlook cache:\ndeleted %LOCALAPPDATA%\\Microsoft\\Outlook\\RoamCache' },
    ],
  });
}

/** A window to agree to in advance (issue 20): tonight 18:00-20:00 UTC, seen from T0 (10:00 UTC). */
export function scheduleView(overrides: Partial<ConsentView> = {}): ConsentView {
  return consentView({
    kind: 'schedule',
    window: { startsAt: '2026-11-24T18:00:00.000Z', endsAt: '2026-11-24T20:00:00.000Z' },
    ticket: { id: 'INC0012345' },
    reason: 'Reinstall the calendar add-in after hours, when you are not using Outlook.',
    scopes: ['view', 'control'],
    blockedScopes: [],
    estimatedMinutes: 120,
    ...overrides,
  });
}
