import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from './errors';
import { formatIssues } from './format-issues';
import { pipelineSchema, type Pipeline } from './pipeline-schema';

/** Parses and validates pipeline YAML text; `file` is only used to name the source in errors. */
export function parsePipeline(input: { file: string; text: string }): Pipeline {
  const document = parseDocument(input.text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(input.file, document.errors.map((error) => `YAML syntax: ${error.message}`));
  }
  const result = pipelineSchema.safeParse(document.toJS());
  if (!result.success) throw new ConfigError(input.file, formatIssues(result.error.issues));
  return result.data;
}

/** Reads a pipeline file and validates it before any work starts. */
export async function loadPipeline(input: { file: string }): Promise<Pipeline> {
  let text: string;
  try {
    text = await readFile(input.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(input.file, [code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`]);
  }
  return readSqlFiles({ file: input.file, pipeline: parsePipeline({ file: input.file, text }) });
}

/** Inlines each `sql:` transform step's and database step's file, so workers on any machine run the SQL the pipeline was started with. */
async function readSqlFiles(input: { file: string; pipeline: Pipeline }): Promise<Pipeline> {
  const issues: string[] = [];
  for (const [tableIndex, table] of input.pipeline.tables.entries()) {
    for (const [stepIndex, step] of table.transform.entries()) {
      if (step.kind !== 'sql') continue;
      const path = resolve(dirname(input.file), step.body.file);
      step.body.query = await readFile(path, 'utf8').catch(() => {
        issues.push(`tables[${tableIndex}].transform[${stepIndex}].sql: cannot read ${path}`);
        return '';
      });
    }
  }
  for (const [stepIndex, step] of input.pipeline.steps.entries()) {
    if (step.sql === undefined) continue;
    const path = resolve(dirname(input.file), step.sql);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) issues.push(`steps[${stepIndex}].sql: cannot read ${path}`);
    else if (!text.trim()) issues.push(`steps[${stepIndex}].sql: ${path} is empty`);
    step.query = text ?? '';
  }
  if (issues.length > 0) throw new ConfigError(input.file, issues);
  return input.pipeline;
}
