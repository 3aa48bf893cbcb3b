// Loads the zod policy schema (src/core/policy/schema.ts) into a script without
// a prior build: esbuild bundles it together with zod itself, so zod's
// registry (where .describe() texts live) is the one toJSONSchema reads.
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/** @returns {Promise<{ z: typeof import('zod').z, policySchema: import('zod').ZodObject, partialPolicySchema: import('zod').ZodObject, DEFAULT_POLICY: Record<string, unknown>, USER_SETTABLE_KEYS: readonly string[], IT_WORDING_LIMITS: Record<string, number>, REFUSED_IN_LINE_SOURCE: string }>} */
export async function loadPolicySchema() {
  const result = await build({
    stdin: {
      contents: "export { z } from 'zod'; export * from './src/core/policy/schema.ts'; export { REFUSED_IN_LINE_SOURCE } from './src/protocol/text-policy.ts';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
