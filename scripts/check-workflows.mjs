// Validates GitHub Actions workflows with GitHub's own parser (@actions/workflow-parser,
// the one behind the Actions VS Code extension): schema, keys, expressions, job graph.
// Usage: node scripts/check-workflows.mjs [file...]   (default: every .github/workflows/*.yml)
// Exit 1 with one "file: message" line per problem.
import { readdirSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The parser is published for bundlers: it imports its JSON schemas without the
// `with { type: 'json' }` attribute Node requires. Add the attribute for its files only.
registerHooks({
  load(url, context, nextLoad) {
    if (url.includes('/@actions/workflow-parser/') && url.endsWith('.json')) {
      return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
    }
    return nextLoad(url, context);
  },
});
const { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } = await import('@actions/workflow-parser');

const root = fileURLToPath(new URL('..', import.meta.url));
const workflowsDir = join(root, '.github/workflows');
const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(workflowsDir, f));

let problems = 0;
for (const file of files) {
  const name = file.startsWith(root) ? relative(root, file) : file;
  const parsed = parseWorkflow({ name, content: readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = [...parsed.context.errors.getErrors()];
  if (parsed.value && errors.length === 0) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []));
  }
  if (!parsed.value && errors.length === 0) errors.push({ message: 'not a workflow (empty or unparsable)' });
  for (const e of errors) console.error(`${name}: ${e.message ?? e.Message ?? String(e)}`);
  problems += errors.length;
}
if (files.length === 0) console.error('check-workflows: no workflow files found');
process.exitCode = problems > 0 || files.length === 0 ? 1 : 0;
