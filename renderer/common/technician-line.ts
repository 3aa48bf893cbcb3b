// "Alice Moreau (helpdesk · Robinson Park IT)": the technician as the relay verified them.
import type { SummaryView } from '../../src/shared/view-models.js';

export function technicianLine(t: SummaryView['technician']): string {
  return t.org ? `${t.name} (${t.group} · ${t.org})` : `${t.name} (${t.group})`;
}
