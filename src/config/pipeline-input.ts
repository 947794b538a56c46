import type { z } from 'zod';
import { formatIssues } from './format-issues';
import { pipelineSchema, type Pipeline } from './pipeline-schema';

/** A pipeline as written in YAML (parsed, e.g. `YAML.parse(text)`), before defaults and normalization. */
export type PipelineInput = z.input<typeof pipelineSchema>;

type Step = Record<string, unknown>;

/** A normalized step `{ kind, body }` back in its written form `{ [kind]: body }`; anything else as it is. */
function writtenStep(step: unknown): unknown {
  if (!step || typeof step !== 'object' || Array.isArray(step)) return step;
  const { kind, body, ...rest } = step as Step;
  if (typeof kind !== 'string' || body === undefined || Object.keys(rest).length > 0) return step;
  return { [kind]: kind === 'sql' && body && typeof body === 'object' ? (body as { file?: unknown }).file : body };
}

/** The SQL text of normalized `sql` steps (written form has only the file), by table and step position. */
function inlinedSql(raw: unknown): Map<string, string> {
  const queries = new Map<string, string>();
  const tables = (raw as { tables?: unknown } | undefined)?.tables;
  if (!Array.isArray(tables)) return queries;
  tables.forEach((table: unknown, tableIndex) => {
    const steps = (table as { transform?: unknown } | undefined)?.transform;
    if (!Array.isArray(steps)) return;
    steps.forEach((step: unknown, stepIndex) => {
      const { kind, body } = (step ?? {}) as Step;
      const query = (body as { query?: unknown } | undefined)?.query;
      if (kind === 'sql' && typeof query === 'string' && query.trim()) queries.set(`${tableIndex}/${stepIndex}`, query);
    });
  });
  return queries;
}

function toWrittenForm(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const pipeline = raw as { tables?: unknown };
  if (!Array.isArray(pipeline.tables)) return raw;
  return {
    ...pipeline,
    tables: pipeline.tables.map((table: unknown) => {
      const steps = (table as { transform?: unknown } | undefined)?.transform;
      return Array.isArray(steps) ? { ...(table as object), transform: steps.map(writtenStep) } : table;
    }),
  };
}

/**
 * Validates a pipeline given as workflow input, written (as in YAML) or normalized (as `loadPipeline`
 * returns it), with the pipeline file's own schema. Pure and deterministic: workflows call it as their first
 * step. Returns the normalized pipeline, or the issues, each naming its field (tables[0].source: …).
 */
export function checkPipelineInput(raw: unknown): { pipeline: Pipeline; issues?: undefined } | { pipeline?: undefined; issues: string[] } {
  const parsed = pipelineSchema.safeParse(toWrittenForm(raw));
  if (!parsed.success) return { issues: formatIssues(parsed.error.issues) };
  const queries = inlinedSql(raw);
  const issues: string[] = [];
  parsed.data.tables.forEach((table, tableIndex) => {
    table.transform.forEach((step, stepIndex) => {
      if (step.kind !== 'sql') return;
      step.body.query = queries.get(`${tableIndex}/${stepIndex}`) ?? '';
      if (!step.body.query) {
        issues.push(
          `tables[${tableIndex}].transform[${stepIndex}].sql: the SQL of ${step.body.file} is not in the input (workers cannot read your files); ` +
            'start the run with startPipelineRun({ pipelineFile }), which inlines it, or pass { kind: "sql", body: { file, query } }',
        );
      }
    });
  });
  parsed.data.steps.forEach((step, stepIndex) => {
    if (step.sql !== undefined && !step.query?.trim()) {
      issues.push(`steps[${stepIndex}].sql: the SQL of ${step.sql} is not in the input (workers cannot read your files); start the run with startPipelineRun({ pipelineFile }), which inlines it, or pass the text as query`);
    }
  });
  return issues.length > 0 ? { issues } : { pipeline: parsed.data };
}
