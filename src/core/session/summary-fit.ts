// A session summary must fit one frame: list the newest files that fit and
// count the rest (`filesOmitted`). The audit log keeps every record.
import { MAX_FRAME_BYTES } from '../../protocol/limits.js';
import type { SessionSummary } from '../../protocol/messages.js';

/** Room for the message envelope around the summary: v, type, id and the audit anchor (seq and hash). */
const ENVELOPE_BYTES = 512;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** `full` lists the newest files kept; `totalFiles` counts every file announced in the session. */
export function fitSummaryToFrame(full: SessionSummary, totalFiles: number): SessionSummary {
  const budget = MAX_FRAME_BYTES - ENVELOPE_BYTES;
  // Worst case for the count field itself, so adding it can't push the frame over.
  const base = bytes({ ...full, files: [], filesOmitted: Number.MAX_SAFE_INTEGER });
  let used = base;
  let keep = 0;
  // Newest first: add files while they fit (each costs its JSON plus a comma).
  for (let i = full.files.length - 1; i >= 0; i--) {
    const cost = bytes(full.files[i]) + 1;
    if (used + cost > budget) break;
    used += cost;
    keep++;
  }
  const files = keep === 0 ? [] : full.files.slice(-keep);
  const filesOmitted = totalFiles - files.length;
  return { ...full, files, ...(filesOmitted > 0 ? { filesOmitted } : {}) };
}
