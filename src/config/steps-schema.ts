import { z } from 'zod';
import { parseCall } from '../steps/call';

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a step name (letters, digits, underscore; not starting with a digit)');
/** `all`, or the names of tables of this pipeline. */
const placement = z.union([z.literal('all'), z.array(name).min(1, 'expected at least one table name, or all')]);

/** The databases a step can run on: the pipeline's source (its primary, never the replica) or its warehouse. */
export const stepDatabases = ['warehouse', 'source'] as const;
export type StepDatabase = (typeof stepDatabases)[number];

/**
 * A database step: the pipeline author's own SQL, run as written on one database before, after or between
 * table loads. `call:` is `schema.proc(literal, …)` only; `sql:` names a file next to the pipeline, whose
 * text the loader puts in `query` (workers cannot read your files).
 */
export const databaseStepSchema = z
  .strictObject({
    name,
    /** Runs once these tables have loaded (`all`: after every table; the default when neither is set). */
    after: placement.optional(),
    /** Runs before these tables start (`all`: before the run plans and replicates). */
    before: placement.optional(),
    on: z.enum(stepDatabases, { error: 'expected warehouse or source' }).default('warehouse'),
    call: z
      .string()
      .superRefine((text, ctx) => {
        const problem = parseCall(text).problem;
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    sql: z.string().regex(/\.sql$/, 'expected the path of a .sql file next to the pipeline').optional(),
    /** The file's text, filled in by loadPipeline; workflow inputs carry it. */
    query: z.string().optional(),
    /** The statement is cancelled after this long (statement_timeout on Postgres, CancelStatement on Redshift). */
    timeoutSeconds: z.int().min(1).max(86_400).default(600),
  })
  .superRefine((step, ctx) => {
    if (step.call !== undefined && step.sql !== undefined) ctx.addIssue({ code: 'custom', path: ['sql'], message: 'set either call or sql, not both' });
    if (step.call === undefined && step.sql === undefined) ctx.addIssue({ code: 'custom', path: ['call'], message: 'required: call: schema.proc(args) or sql: file.sql' });
    if (step.query !== undefined && step.sql === undefined) ctx.addIssue({ code: 'custom', path: ['query'], message: 'only the loader sets query, from the sql file' });
    if (step.after === 'all' && step.before !== undefined) ctx.addIssue({ code: 'custom', path: ['before'], message: 'after: all runs after every table; it cannot also run before one' });
    if (step.before === 'all' && step.after !== undefined) ctx.addIssue({ code: 'custom', path: ['after'], message: 'before: all runs before every table; it cannot also run after one' });
  });

export type DatabaseStep = z.output<typeof databaseStepSchema>;

/** Where a step runs in a run: before everything, after everything, or once some tables loaded / before some start. */
export type StepPlacement = { at: 'start' } | { at: 'end' } | { at: 'tables'; after: string[]; before: string[] };

/** The placement a step's after/before fields describe (after: all when neither is set). */
export function placementOf(step: Pick<DatabaseStep, 'after' | 'before'>): StepPlacement {
  if (step.before === 'all') return { at: 'start' };
  if (step.after === 'all' || (step.after === undefined && step.before === undefined)) return { at: 'end' };
  return { at: 'tables', after: step.after ?? [], before: step.before === undefined ? [] : step.before };
}

/** Issues for step names that clash and tables that do not exist, plus cycles with table dependencies. */
export function checkSteps(pipeline: { tables: { name: string; dependsOn: string[] }[]; steps: DatabaseStep[] }, ctx: z.RefinementCtx): void {
  const tables = new Set(pipeline.tables.map((table) => table.name));
  pipeline.steps.forEach((step, index) => {
    if (tables.has(step.name)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'name'], message: `"${step.name}" is also a table name; give the step its own name` });
    if (pipeline.steps.findIndex((other) => other.name === step.name) !== index) ctx.addIssue({ code: 'custom', path: ['steps', index, 'name'], message: `duplicate step name "${step.name}"` });
    for (const field of ['after', 'before'] as const) {
      const names = step[field];
      if (!Array.isArray(names)) continue;
      names.forEach((table, position) => {
        if (!tables.has(table)) ctx.addIssue({ code: 'custom', path: ['steps', index, field, position], message: `no table named "${table}" in this pipeline (expected one of ${[...tables].join(', ')}, or all)` });
      });
    }
  });
}
