// A managed (MDM) policy source: a file or registry key IT controls. Reading
// is behind this interface so each source is tested with fixtures.
import { mergeManaged } from './merge-managed.js';
import type { ManagedPolicy } from '../merge.js';

export type SourceReadResult = { kind: 'absent' } | { kind: 'found'; origin: string; data: unknown } | { kind: 'error'; origin: string; detail: string };

export interface ManagedPolicySource {
  readonly name: string;
  read(): Promise<SourceReadResult>;
}

/** Read every source; later sources override earlier ones key by key. */
export async function loadManagedPolicy(sources: readonly ManagedPolicySource[]): Promise<ManagedPolicy> {
  const results: SourceReadResult[] = [];
  for (const s of sources) {
    try {
      results.push(await s.read());
    } catch (err) {
      results.push({ kind: 'error', origin: s.name, detail: (err as Error).message });
    }
  }
  return mergeManaged(results);
}
