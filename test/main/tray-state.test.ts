import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/core/ui-port.js';
import { TOOLTIP_MAX, cancelledWindowId, toMenuTemplate, trayIconFile, trayIconState, trayMenu, trayTooltip, type TrayAction } from '../../src/main/tray-state.js';

const fmt = (iso: string) => iso.slice(11, 16);
const idle: AgentStatus = { connection: 'connected', relayUrl: 'wss://relay.example.com:7443/agent', prompting: false };
const live: AgentStatus = { ...idle, session: { sessionId: 'ses-1', technicianName: 'Alice Moreau', ticketId: 'INC0012345', endsAt: '2026-11-24T10:30:00.000Z' } };
const prompting: AgentStatus = { ...idle, prompting: true };

describe('tray icon', () => {
  it('maps status to idle / prompting / live (a prompt wins over a live session)', () => {
    expect(trayIconState(idle)).toBe('idle');
    expect(trayIconState({ ...idle, connection: 'disconnected' })).toBe('idle');
    expect(trayIconState(live)).toBe('live');
    expect(trayIconState(prompting)).toBe('prompting');
    expect(trayIconState({ ...live, prompting: true })).toBe('prompting');
  });

  it('names the file per platform', () => {
    expect(trayIconFile('idle', 'darwin')).toBe('assets/tray/idleTemplate.png');
    expect(trayIconFile('live', 'win32')).toBe('assets/tray/live.ico');
    expect(trayIconFile('prompting', 'linux')).toBe('assets/tray/prompting.png');
  });
});

describe('tray tooltip', () => {
  it('says where it is connected, who is connected, or that a request waits', () => {
    expect(trayTooltip(idle, fmt)).toBe('Porchlight: Connected to relay.example.com:7443');
    expect(trayTooltip({ connection: 'not-configured', prompting: false }, fmt)).toBe('Porchlight: Not configured: no relay set');
    expect(trayTooltip({ ...idle, connection: 'disconnected' }, fmt)).toBe('Porchlight: Disconnected from relay.example.com:7443, retrying');
    expect(trayTooltip(live, fmt)).toBe('Porchlight: Alice Moreau is connected (ticket INC0012345) until 10:30');
    expect(trayTooltip(prompting, fmt)).toBe('Porchlight: a remote support request is waiting for you');
  });

  it('fits the Windows limit', () => {
    const long: AgentStatus = { ...live, session: { ...live.session!, technicianName: 'A'.repeat(200) } };
    expect(trayTooltip(long, fmt).length).toBe(TOOLTIP_MAX);
  });
});

describe('tray menu', () => {
  const labels = (s: AgentStatus, allowQuit = true) => trayMenu(s, { allowQuit, formatTime: fmt }).map((i) => (i.kind === 'separator' ? '---' : i.label));

  it('idle: connection, no session, audit folder, settings, about, quit', () => {
    expect(labels(idle)).toEqual(['Connected to relay.example.com:7443', 'No remote support session', '---', 'Open audit folder', 'Settings…', 'About Porchlight', '---', 'Quit Porchlight']);
  });

  it('disconnected: says why the relay cannot be reached', () => {
    const down: AgentStatus = { ...idle, connection: 'disconnected', connectionProblem: "the relay's TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN)" };
    expect(labels(down)[1]).toBe("Why: the relay's TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN)");
    expect(labels({ ...down, connection: 'connected' })).not.toContain("Why: the relay's TLS certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN)");
  });

  it('live: shows the session and End session', () => {
    expect(labels(live)).toEqual([
      'Connected to relay.example.com:7443',
      'Alice Moreau is connected (ticket INC0012345) until 10:30',
      'End session',
      '---',
      'Open audit folder',
      'Settings…',
      'About Porchlight',
      '---',
      'Quit Porchlight',
    ]);
  });

  it('hides Quit when managed policy makes the agent non-quittable', () => {
    expect(labels(live, false)).not.toContain('Quit Porchlight');
    expect(trayMenu(idle, { allowQuit: false }).some((i) => i.kind === 'action' && i.action === 'quit')).toBe(false);
  });

  it('builds an Electron template: labels disabled, actions call back, & shown literally', () => {
    const clicked: TrayAction[] = [];
    const s: AgentStatus = { ...live, session: { ...live.session!, technicianName: 'Bob & Co' } };
    const template = toMenuTemplate(trayMenu(s, { allowQuit: true, formatTime: fmt }), (a) => clicked.push(a));
    expect(template[1]).toEqual({ label: 'Bob && Co is connected (ticket INC0012345) until 10:30', enabled: false });
    const end = template.find((t) => t.label === 'End session')!;
    (end.click as () => void)();
    (template.find((t) => t.label === 'Settings…')!.click as () => void)();
    expect(clicked).toEqual(['end-session', 'settings']);
    expect(template.filter((t) => t.type === 'separator')).toHaveLength(2);
  });

  it('lists each agreed window with Cancel, and Cancel names that window (issue 20)', () => {
    const agreed: AgentStatus = {
      ...idle,
      agreedWindows: [
        { windowId: 'win-1', technicianName: 'Alice Moreau', ticketId: 'INC0012345', scopes: ['view', 'control'], startsAt: '2026-11-24T18:00:00.000Z', endsAt: '2026-11-24T20:00:00.000Z' },
        { windowId: 'win-2', technicianName: 'Bob & Co', ticketId: 'INC&2', scopes: ['view'], startsAt: '2026-11-25T09:00:00.000Z', endsAt: '2026-11-25T10:00:00.000Z' },
      ],
    };
    const when = (a: string, b: string) => `${a.slice(11, 16)}-${b.slice(11, 16)}`;
    const items = trayMenu(agreed, { allowQuit: true, formatTime: fmt, windowWhen: when });
    expect(items.map((i) => (i.kind === 'separator' ? '---' : i.label)).slice(0, 4)).toEqual([
      'Connected to relay.example.com:7443',
      'No remote support session',
      'Agreed: 18:00-20:00, INC0012345 - Cancel',
      'Agreed: 09:00-10:00, INC&2 - Cancel',
    ]);
    const clicked: TrayAction[] = [];
    const template = toMenuTemplate(items, (a) => clicked.push(a));
    expect(template[3]!.label).toBe('Agreed: 09:00-10:00, INC&&2 - Cancel');
    (template[2]!.click as () => void)();
    expect(clicked.map(cancelledWindowId)).toEqual(['win-1']);
    expect(cancelledWindowId('settings')).toBeUndefined();
    // The default words: the window in this machine's zone, relative day first.
    expect(trayMenu(agreed, { allowQuit: true })[2]).toMatchObject({ label: expect.stringMatching(/^Agreed: .+ \d{2}:\d{2}.*-.*, INC0012345 - Cancel$/) });
  });
});
