// Effective policy of an agent run from a config file (headless mode):
// defaults < config file < managed (MDM) policy. The config is IT's, so it
// may set any key; managed keys still win, and an invalid managed policy
// still locks the agent to the safest settings (mergePolicy decides that).
import { mergePolicy, type EffectivePolicy, type ManagedPolicy } from './merge.js';
import type { PartialPolicy } from './schema.js';
import { loadManagedPolicy, type ManagedPolicySource } from './sources/managed-source.js';

export function layerConfigUnderManaged(managed: ManagedPolicy, config: PartialPolicy, configOrigin: string): ManagedPolicy {
  if (managed.kind === 'invalid') return managed;
  const managedValues = managed.kind === 'valid' ? managed.values : {};
  const origins = managed.kind === 'valid' ? managed.origins : [];
  return { kind: 'valid', values: { ...config, ...managedValues }, origins: [configOrigin, ...origins] };
}

export async function configPolicy(sources: readonly ManagedPolicySource[], config: PartialPolicy, configOrigin: string): Promise<EffectivePolicy & { managedOrigins: string[] }> {
  const managed = await loadManagedPolicy(sources);
  const effective = mergePolicy(layerConfigUnderManaged(managed, config, configOrigin));
  return { ...effective, managedOrigins: managed.kind === 'none' ? [] : managed.origins };
}
