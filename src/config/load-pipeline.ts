import { readFile } from 'node:fs/promises';
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
  return parsePipeline({ file: input.file, text });
}
