// Combine what the managed sources returned into one validated managed policy.
import { parseManagedDocument, type ManagedPolicy } from '../merge.js';
import type { PartialPolicy } from '../schema.js';
import type { SourceReadResult } from './managed-source.js';

export function mergeManaged(results: readonly SourceReadResult[]): ManagedPolicy {
  const origins: string[] = [];
  const problems: string[] = [];
  let values: PartialPolicy = {};
  for (const r of results) {
    if (r.kind === 'absent') continue;
    origins.push(r.origin);
    if (r.kind === 'error') {
      problems.push(`${r.origin}: ${r.detail}`);
      continue;
    }
    const doc = parseManagedDocument(r.data);
    if (doc.ok) values = { ...values, ...doc.values };
    else problems.push(`${r.origin}: ${doc.problem}`);
  }
  if (problems.length > 0) return { kind: 'invalid', origins, problems };
  return origins.length === 0 ? { kind: 'none' } : { kind: 'valid', values, origins };
}
