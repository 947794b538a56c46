import { z } from 'zod';
import { MEASURE_FORMS, parseMeasure } from '../sql/measure';

export const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an identifier (letters, digits, underscore; not starting with a digit)');
const columns = z.array(identifier).min(1, 'expected at least one column');
const ruleName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a rule name in snake_case');
/** DuckDB type names a cast may target. */
const castType = z
  .string()
  .regex(/^(BOOLEAN|SMALLINT|INTEGER|BIGINT|DOUBLE|REAL|DATE|TIMESTAMP|TIMESTAMPTZ|VARCHAR|DECIMAL\(\d{1,2},\s*\d{1,2}\))$/i, 'expected a type such as INTEGER, DECIMAL(12,2), DATE, TIMESTAMPTZ or VARCHAR');
const literal = z.union([z.string(), z.number(), z.boolean()]);

/** Each step is a one-key YAML mapping, e.g. `- trim: [first_name]`; steps run in order. */
const stepBodies = {
  /** Keep the latest row per primary key (by `orderBy`, descending); the others are rejected as duplicate_key. */
  dedupe: z.strictObject({ orderBy: columns }),
  trim: columns,
  upper: columns,
  lower: columns,
  /** Seed 000's etl_customer_data rule: an email that does not match is set to NULL (or the row rejected). */
  validateEmail: z.strictObject({ column: identifier, onInvalid: z.enum(['null', 'reject']).default('null'), rule: ruleName.default('invalid_email') }),
  dropNulls: z.strictObject({ columns, rule: ruleName.default('null_key') }),
  fillNulls: z.record(identifier, literal),
  /** Rows whose value does not convert are rejected with rule invalid_<column>. */
  cast: z.record(identifier, castType),
  /** A business rule: rows for which `keep` (a DuckDB boolean expression) is not true are rejected as `rule`. */
  filter: z.strictObject({ rule: ruleName, keep: z.string().min(1) }),
  /**
   * Rows whose `column` value is not a key of another table of this pipeline are rejected as `rule`; for a
   * composite key, `column` lists as many columns, matched to the referenced primaryKey in its order.
   */
  references: z.strictObject({ rule: ruleName, column: z.union([identifier, columns]), table: identifier }),
  /**
   * Adds `columns` of another table of this pipeline (its accepted rows, read from its target) to each row whose
   * `on` columns match that table's primaryKey, in its order; `as` renames them. A row with no match is rejected
   * as `rule`, or with `onMiss: null` kept with NULLs. A row with a NULL `on` value is not looked up (NULLs).
   */
  lookup: z.strictObject({
    table: identifier,
    on: columns,
    columns,
    as: z.record(identifier, identifier).default({}),
    rule: ruleName.default('lookup_miss'),
    onMiss: z.union([z.literal('reject'), z.literal('null'), z.null()], { error: 'expected reject or null' }).default('reject'),
  }),
  derive: z.record(identifier, z.string().min(1)),
  select: columns,
  /** A .sql file (relative to the pipeline file) holding a SELECT over the relation `input`. */
  sql: z
    .string()
    .regex(/\.sql$/, 'expected the path of a .sql file')
    .transform((file) => ({ file, query: '' })),
} as const;

type StepBodies = typeof stepBodies;
export type StepKind = keyof StepBodies;
export type TransformStep = { [K in StepKind]: { kind: K; body: z.output<StepBodies[K]> } }[StepKind];

const stepKinds = Object.keys(stepBodies) as StepKind[];

export const transformStepSchema = z.unknown().transform((value, ctx): TransformStep => {
  const entries = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
  const [kind, body] = entries[0] ?? [];
  if (entries.length !== 1 || !stepKinds.includes(kind as StepKind)) {
    ctx.addIssue({ code: 'custom', message: `expected one of the steps ${stepKinds.join(', ')} (one per list item)` });
    return z.NEVER;
  }
  const parsed = stepBodies[kind as StepKind].safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', path: [kind as string, ...issue.path] });
    return z.NEVER;
  }
  return { kind, body: parsed.data } as TransformStep;
});

export const rollupSchema = z.strictObject({
  target: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'expected a schema-qualified name'),
  /** No longer needed: a merge rebuilds exactly the groups its rows touched. Still accepted, so older files validate. */
  refreshBy: identifier.optional(),
  groupBy: columns,
  /** Plain aggregates both DuckDB and the warehouse run alike; rebuilt from their parts, never pasted. */
  measures: z.record(
    identifier,
    z.string().superRefine((text, ctx) => {
      if (!parseMeasure(text)) ctx.addIssue({ code: 'custom', message: `"${text}" is not a rollup measure: expected ${MEASURE_FORMS}` });
    }),
  ),
});
export type Rollup = z.output<typeof rollupSchema>;

/** The columns a `references` step checks, in the referenced key's order (one for a single-column key). */
export function referenceColumns(body: { column: string | readonly string[] }): string[] {
  return typeof body.column === 'string' ? [body.column] : [...body.column];
}

/** The columns a `lookup` step adds: each looked-up column and its name in this table (its `as:` rename, or itself). */
export function lookupOutputs(body: { columns: readonly string[]; as: Record<string, string> }): { column: string; name: string }[] {
  return body.columns.map((column) => ({ column, name: body.as[column] ?? column }));
}

/** Per looked-up table, the key width and every column the table's lookup steps read from it (one key set file each). */
export function lookupNeeds(steps: readonly TransformStep[]): Record<string, { width: number; columns: string[] }> {
  const needs: Record<string, { width: number; columns: string[] }> = {};
  for (const step of steps) {
    if (step.kind !== 'lookup') continue;
    const need = (needs[step.body.table] ??= { width: step.body.on.length, columns: [] });
    for (const column of step.body.columns) if (!need.columns.includes(column)) need.columns.push(column);
  }
  return needs;
}
