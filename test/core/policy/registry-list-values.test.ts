// Registry values as Group Policy writes them from build/mdm/windows/Porchlight.admx:
// a list element's REG_SZ values for technician groups, REG_QWORD for large sizes.
import { describe, expect, it } from 'vitest';
import { parseRegQuery } from '../../../src/core/policy/sources/registry-source.js';
import { parseManagedDocument } from '../../../src/core/policy/merge.js';

const ROOT = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Porchlight';

describe('registry values written by the ADMX template', () => {
  it("reads a technician group's REG_SZ value as its comma-separated scopes", () => {
    const out = [`${ROOT}`, '    relayUrl    REG_SZ    wss://relay.example.com/a,b', '', `${ROOT}\\technicianGroups`, '    helpdesk    REG_SZ    view, control', '    audit    REG_SZ    ', ''].join('\r\n');
    const parsed = parseRegQuery(out);
    expect(parsed).toEqual({ ok: true, data: { relayUrl: 'wss://relay.example.com/a,b', technicianGroups: { helpdesk: ['view', 'control'], audit: [] } } });
  });

  it('still rejects a technician group naming an unknown scope', () => {
    const parsed = parseRegQuery([`${ROOT}\\technicianGroups`, '    helpdesk    REG_SZ    view,root', ''].join('\r\n'));
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parseManagedDocument(parsed.data).ok).toBe(false);
  });

  it('reads a REG_QWORD file size above 4 GiB', () => {
    const out = [`${ROOT}\\fileTransfer`, '    maxBytes    REG_QWORD    0x280000000', '    blockedExtensions    REG_MULTI_SZ    .exe', '    requireTicket    REG_DWORD    0x1', ''].join('\r\n');
    const parsed = parseRegQuery(out);
    expect(parsed.ok && parseManagedDocument(parsed.data)).toEqual({ ok: true, values: { fileTransfer: { maxBytes: 10 * 1024 ** 3, blockedExtensions: ['.exe'], requireTicket: true } } });
  });
});
