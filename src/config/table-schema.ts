import { z } from 'zod';
import { declaredColumnsSchema, filesSchema } from './files-schema';
import { httpSchema } from './http-schema';
import { identifier, rollupSchema, transformStepSchema } from './transform-schema';
import { typeOverrides } from '../sql/type-map';

const qualifiedName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'expected a schema-qualified name such as raw.customers');

export const loadModes = ['full-refresh', 'incremental', 'merge'] as const;
export type LoadMode = (typeof loadModes)[number];

export const nullWatermarkPolicies = ['include', 'reject'] as const;
export type NullWatermarkPolicy = (typeof nullWatermarkPolicies)[number];

/** What a run does when the source columns no longer match the existing target's (see README, "Schema changes"). */
export const schemaChangePolicies = ['fail', 'evolve', 'ignore'] as const;
export type SchemaChangePolicy = (typeof schemaChangePolicies)[number];

/** Where a table's rows come from: a Postgres table (the default), files landing under an S3 prefix, or a JSON API. */
export const sourceKinds = ['postgres', 'files', 'http'] as const;

export const tableSchema = z.strictObject({
  name: identifier,
  /** Absent means postgres (tables in runs recorded before files sources existed have none). */
  kind: z.enum(sourceKinds).optional(),
  /** The Postgres source table; a files table may leave it out (it is then only a label, files.<name>). */
  source: qualifiedName.optional(),
  /** kind: files — the objects to read (prefix, glob, format, onRewrite). */
  files: filesSchema.optional(),
  /** kind: http — the JSON API to read (url, records path, paging, incremental parameter, secret headers). */
  http: httpSchema.optional(),
  /** kind: files or http — the declared column types, in file (record) order. */
  columns: declaredColumnsSchema.optional(),
  target: qualifiedName,
  primaryKey: z.array(identifier).min(1, 'expected at least one key column'),
  mode: z.enum(loadModes).default('merge'),
  watermark: identifier.optional(),
  /**
   * How far before the saved watermark each run starts reading again (an interval such as "15 minutes" for a
   * timestamp watermark, a number for an integer one), so rows committed late with an older watermark value
   * are not missed; rows read twice are merged by key.
   */
  lookback: z.string().min(1).optional(),
  /**
   * Rows whose watermark column (for `window: interval`, the event-time column) is NULL are in no window's range,
   * so every run reads them: `include` merges them by key like any other row (the default: nothing is lost),
   * `reject` sends them to rejected/ as null_watermark.
   */
  nullWatermark: z.enum(nullWatermarkPolicies).default('include'),
  /**
   * Which rows a run reads: `since-last` (rows whose watermark passed the saved one; the default) or
   * `interval` (rows whose `eventTime` column, or the watermark, falls in the run's data interval, so a
   * backfill or a re-run of a day reloads exactly that day).
   */
  window: z.enum(['since-last', 'interval']).default('since-last'),
  /** The date or timestamp column a `window: interval` table is cut on (defaults to the watermark). */
  eventTime: identifier.optional(),
  /**
   * Rows deleted at the source: `ignore` (the default: they stay), `propagate` (deleted in the warehouse) or
   * `soft` (marked: is_deleted = true, deleted_at = when the run saw it). Each run then reads the source's key set.
   */
  deletes: z.enum(['ignore', 'propagate', 'soft']).default('ignore'),
  /** Tables loaded before this one (dimensions before facts). */
  dependsOn: z.array(identifier).default([]),
  transform: z.array(transformStepSchema).default([]),
  /** Columns the processed Parquet is partitioned by (hive style, e.g. sale_month=2024-01-01/). */
  partitionBy: z.array(identifier).default([]),
  /** Aggregate tables rebuilt in the warehouse, in the same transaction, for the values this load touched. */
  rollups: z.array(rollupSchema).default([]),
  /**
   * Per-column type overrides: VARCHAR carries a column as its exact Postgres text form, for values the type
   * map refuses (numerics wider than 38 digits); the warehouse column keeps the source type.
   */
  types: z.record(identifier, z.enum(typeOverrides, { error: 'expected VARCHAR (the only override: the exact text form)' })).default({}),
  /** When source columns differ from the existing target's: fail (default), evolve the target, or ignore the difference. */
  onSchemaChange: z.enum(schemaChangePolicies).default('fail'),
});

export type TableInput = z.output<typeof tableSchema>;

/** A Postgres table names its source; a files or http table its files (or API) and columns, and none of the watermark settings. */
export function checkSourceKind(table: TableInput, index: number, ctx: z.RefinementCtx): void {
  const at = (field: string) => ['tables', index, field];
  const kind = table.kind ?? 'postgres';
  if (kind === 'postgres') {
    if (!table.source) ctx.addIssue({ code: 'custom', path: at('source'), message: 'required: the schema-qualified source table (or set kind: files or kind: http)' });
    for (const field of ['files', 'http', 'columns'] as const) if (table[field]) ctx.addIssue({ code: 'custom', path: at(field), message: 'only used with kind: files or kind: http' });
    return;
  }
  const other = kind === 'files' ? 'http' : 'files';
  if (table[other]) ctx.addIssue({ code: 'custom', path: at(other), message: `only used with kind: ${other}` });
  if (kind === 'files' && !table.files) ctx.addIssue({ code: 'custom', path: at('files'), message: 'required with kind: files: { prefix, glob, format }' });
  if (kind === 'http' && !table.http) ctx.addIssue({ code: 'custom', path: at('http'), message: 'required with kind: http: { url, records, paging }' });
  if (!table.columns || Object.keys(table.columns).length === 0) ctx.addIssue({ code: 'custom', path: at('columns'), message: `required with kind: ${kind}: the column types the ${kind === 'files' ? 'files' : 'records'} hold, e.g. { id: BIGINT, amount: "DECIMAL(12,2)" }` });
  const unknownKeys = table.primaryKey.filter((key) => table.columns && !(key in table.columns));
  if (table.columns && unknownKeys.length > 0) ctx.addIssue({ code: 'custom', path: at('primaryKey'), message: `${unknownKeys.join(', ')} not among columns` });
  const incremental = table.http?.incremental;
  if (incremental && table.columns && !(incremental.watermark in table.columns)) ctx.addIssue({ code: 'custom', path: [...at('http'), 'incremental', 'watermark'], message: `${incremental.watermark} not among columns: declare the field the API compares updated_since with` });
  const noWatermark = kind === 'files' ? 'a files table reads each object once (file bookmarks); it has no watermark' : 'an http table keeps its watermark under http.incremental: { param, watermark }';
  for (const field of ['watermark', 'lookback', 'eventTime'] as const) {
    if (table[field]) ctx.addIssue({ code: 'custom', path: at(field), message: noWatermark });
  }
  if (table.window !== 'since-last') ctx.addIssue({ code: 'custom', path: at('window'), message: `a ${kind} table reads what no run loaded yet; window applies to Postgres tables` });
  if (table.deletes !== 'ignore') ctx.addIssue({ code: 'custom', path: at('deletes'), message: `a ${kind} table cannot see deleted rows; deletes applies to Postgres tables` });
  if (Object.keys(table.types).length > 0) ctx.addIssue({ code: 'custom', path: at('types'), message: `a ${kind} table declares its types under columns` });
}

/** A files or http table without `source` is labelled files.<name> or http.<name> (messages, the manifest). */
export function withSourceLabel<T extends { name: string; kind?: string; source?: string }>(table: T): T & { source: string } {
  return { ...table, source: table.source ?? `${table.kind === 'http' ? 'http' : 'files'}.${table.name}` };
}

