import { z } from 'zod';
import { replicationSchema } from './replication-schema';
import { HOW_TO_REFERENCE, SECRET_REFERENCE, secretInUrl } from './secret-reference';
import { scheduleSchema } from './schedule-schema';
import { checkSteps, databaseStepSchema } from './steps-schema';
import { orderTableLevels, withStepOrder } from './table-order';
import { identifier, lookupOutputs, referenceColumns, rollupSchema, transformStepSchema, type TransformStep } from './transform-schema';
import { typeOverrides } from '../sql/type-map';
import { declaredColumnsSchema, filesSchema } from './files-schema';
import { httpSchema } from './http-schema';

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

const tableSchema = z.strictObject({
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

const postgresWarehouse = z.strictObject({ type: z.literal('postgres') });
const redshiftWarehouse = z.strictObject({
  type: z.literal('redshift'),
  database: z.string().min(1),
  workgroupName: z.string().min(1).optional(),
  clusterIdentifier: z.string().min(1).optional(),
  /** A Secrets Manager ARN the Data API authenticates with; the secret itself never enters this file. */
  secretArn: z.string().startsWith('arn:').optional(),
  dbUser: z.string().min(1).optional(),
  iamRoleArn: z.string().startsWith('arn:', 'expected the ARN of the IAM role Redshift uses to read S3'),
});

/**
 * Webhook URLs usually hold a token (Slack's path does): a literal URL is accepted only when it holds no
 * credentials and nothing that looks like a token; otherwise `env:NAME` or `aws-secretsmanager:id[#key]`,
 * resolved by the worker inside the alert activity, keeps it out of workflow payloads and histories.
 */
const webhookUrl = z.string().superRefine((value, ctx) => {
  if (SECRET_REFERENCE.test(value)) return;
  if (!/^https?:\/\/\S+$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'expected an http(s) URL, env:VARIABLE or aws-secretsmanager:<secret-id>[#<json-key>]' });
    return;
  }
  const secret = secretInUrl(value);
  if (secret) ctx.addIssue({ code: 'custom', message: `a literal webhook URL is refused: ${secret}. ${HOW_TO_REFERENCE}` });
});

/** An SNS topic ARN, or a reference to one (resolved by the worker, so even the topic stays out of histories). */
const topicArn = z
  .string()
  .regex(/^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?|env:[A-Za-z_][A-Za-z0-9_]*|aws-secretsmanager:[^\s#]+(#[^\s#]+)?)$/, 'expected an SNS topic ARN, env:VARIABLE or aws-secretsmanager:<secret-id>[#<json-key>]');

/** Where alerts go and when: a failed run always alerts; a long run and low data quality when limits are set. */
const alertsSchema = z
  .strictObject({
    webhook: z.strictObject({ url: webhookUrl }).optional(),
    sns: z.strictObject({ topicArn }).optional(),
    /** Alert once when a run is still going after this many minutes (it keeps running). */
    maxRunMinutes: z.number().positive().optional(),
    /** Alert once when any table's quality score (share of rows passing every rule) is under this. */
    minQualityScore: z.number().min(0).max(1).optional(),
  })
  .refine((alerts) => alerts.webhook || alerts.sns, 'set webhook.url or sns.topicArn (or both) so alerts have somewhere to go');

const memorySize = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/, 'expected a size such as 512MB or 2GB');

/** Schemas the warehouse keeps for itself: run state (etl_state) and the system catalogs. */
const RESERVED_SCHEMA = /^(etl_state|information_schema|pg_\w*)$/i;

type TableShape = { name: string; primaryKey: string[]; dependsOn: string[] };
type LookupBody = Extract<TransformStep, { kind: 'lookup' }>['body'];

/** A lookup names a table it depends on, matches its whole primaryKey, and renames only columns it adds, each once. */
function checkLookup(input: { pipeline: { tables: TableShape[] }; table: TableShape; body: LookupBody; path: (string | number)[] }, ctx: z.RefinementCtx): void {
  const { body, path } = input;
  const issue = (field: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: [...path, ...field], message });
  const looked = input.pipeline.tables.find((other) => other.name === body.table && other.name !== input.table.name);
  if (!looked) issue(['table'], `no other table named "${body.table}" in this pipeline`);
  else if (!input.table.dependsOn.includes(body.table)) issue(['table'], `"${body.table}" must also be listed in dependsOn so it is loaded first`);
  if (looked && body.on.length !== looked.primaryKey.length) {
    issue(['on'], `"${looked.name}" has primaryKey (${looked.primaryKey.join(', ')}); list ${looked.primaryKey.length} column(s) of this table, matched to it in that order`);
  }
  Object.keys(body.as).forEach((column) => {
    if (!body.columns.includes(column)) issue(['as', column], `"${column}" is not among the looked-up columns (${body.columns.join(', ')}); rename only those`);
  });
  const names = lookupOutputs(body).map((output) => output.name);
  names.forEach((name, position) => {
    if (names.indexOf(name) !== position) issue(['columns', position], `"${name}" would be added twice; rename one with as:`);
  });
}

/** Every table and rollup writes a target of its own, outside the reserved schemas. */
function checkTargets(pipeline: { tables: { target: string; rollups: { target: string }[] }[] }, ctx: z.RefinementCtx): void {
  const seen = new Map<string, string>();
  pipeline.tables.forEach((table, index) => {
    const targets = [{ path: ['tables', index, 'target'], target: table.target }, ...table.rollups.map((rollup, position) => ({ path: ['tables', index, 'rollups', position, 'target'], target: rollup.target }))];
    for (const { path, target } of targets) {
      const field = path.map((part, at) => (typeof part === 'number' ? `[${part}]` : `${at > 0 ? '.' : ''}${part}`)).join('');
      const [schema = ''] = target.split('.');
      if (RESERVED_SCHEMA.test(schema)) {
        ctx.addIssue({ code: 'custom', path, message: `${target} is in schema ${schema}, which the warehouse keeps for ${schema.toLowerCase() === 'etl_state' ? 'run state (watermarks, loads)' : 'its system catalog'}; choose another schema` });
      }
      const key = target.toLowerCase();
      const first = seen.get(key);
      if (first) ctx.addIssue({ code: 'custom', path, message: `${target} is already written by ${first}; each table and rollup needs its own target` });
      else seen.set(key, field);
    }
  });
}

type TableInput = z.output<typeof tableSchema>;

/** A Postgres table names its source; a files or http table its files (or API) and columns, and none of the watermark settings. */
function checkSourceKind(table: TableInput, index: number, ctx: z.RefinementCtx): void {
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
function withSourceLabel<T extends { name: string; kind?: string; source?: string }>(table: T): T & { source: string } {
  return { ...table, source: table.source ?? `${table.kind === 'http' ? 'http' : 'files'}.${table.name}` };
}

export const pipelineSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected lowercase letters, digits, - or _'),
    description: z.string().optional(),
    lake: z.strictObject({
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name'),
      prefix: z.string().regex(/^$|^[^/].*\/$/, 'expected empty or a key prefix ending in /').default(''),
      serverSideEncryption: z.enum(['AES256', 'aws:kms']).optional(),
      kmsKeyId: z.string().min(1).optional(),
      /** Raw run folders (raw-data/<table>/run_date=D/) older than this many days before a run's date are deleted at the end of that run; unset keeps them forever. */
      retainRawDays: z.int().min(1).max(36_500).optional(),
    }),
    warehouse: z.discriminatedUnion('type', [postgresWarehouse, redshiftWarehouse]).prefault({ type: 'postgres' }),
    duckdb: z
      .strictObject({
        threads: z.int().min(1).max(256).default(2),
        memoryLimit: memorySize.default('1GB'),
      })
      .prefault({}),
    extract: z
      .strictObject({
        /** Rows per raw Parquet part; one part is the unit of resume after a crash. */
        partRows: z.int().min(1000).default(1_000_000),
      })
      .prefault({}),
    transform: z
      .strictObject({
        /** How many raw parts of one table are transformed at once, each a separate activity any worker may take. */
        parallelParts: z.int().min(1).max(64).default(4),
      })
      .prefault({}),
    /** How many table workflows run at once (started in dependency order). */
    maxParallelTables: z.int().min(1).max(32).default(2),
    tables: z.array(tableSchema, { error: (issue) => (issue.input === undefined ? 'required: the tables this pipeline moves' : undefined) }).min(1, 'expected at least one table (a run with none would succeed having moved nothing)'),
    alerts: alertsSchema.optional(),
    /** Optional first step: bring a replica up to date (DMS or Postgres logical replication) and extract from it. */
    replication: replicationSchema.optional(),
    /** Nightly runs by a Temporal Schedule: cron, time zone, overlap policy, catch-up window. */
    schedule: scheduleSchema.optional(),
    /** Database steps (procedures, SQL files) run before, after or between the table loads. */
    steps: z.array(databaseStepSchema).default([]),
  })
  .superRefine((pipeline, ctx) => {
    pipeline.tables.forEach((table, index) => checkSourceKind(table, index, ctx));
    pipeline.tables.forEach((table, index) => {
      if (table.mode === 'incremental' && !table.watermark && table.kind !== 'files' && table.kind !== 'http') {
        ctx.addIssue({ code: 'custom', path: ['tables', index, 'watermark'], message: 'required when mode is incremental' });
      }
      if (table.window === 'interval') {
        if (!table.eventTime && !table.watermark) ctx.addIssue({ code: 'custom', path: ['tables', index, 'eventTime'], message: 'window: interval needs an eventTime (or watermark) column to cut the interval on' });
        if (table.mode === 'full-refresh') ctx.addIssue({ code: 'custom', path: ['tables', index, 'window'], message: 'window: interval loads one interval by key; it cannot be combined with mode: full-refresh' });
        if (table.lookback) ctx.addIssue({ code: 'custom', path: ['tables', index, 'lookback'], message: 'a window: interval table reads whole intervals; lookback applies to window: since-last' });
      } else if (table.eventTime) {
        ctx.addIssue({ code: 'custom', path: ['tables', index, 'eventTime'], message: 'only used with window: interval' });
      }
      if (table.deletes !== 'ignore' && table.mode === 'full-refresh') {
        ctx.addIssue({ code: 'custom', path: ['tables', index, 'deletes'], message: 'a full refresh already removes the rows the source deleted; deletes applies to merge and incremental' });
      }
      if (table.lookback && !table.watermark) {
        ctx.addIssue({ code: 'custom', path: ['tables', index, 'lookback'], message: 'needs a watermark column to look back on' });
      }
      if (pipeline.tables.findIndex((other) => other.name === table.name) !== index) {
        ctx.addIssue({ code: 'custom', path: ['tables', index, 'name'], message: `duplicate table name "${table.name}"` });
      }
      const names = new Set(pipeline.tables.map((other) => other.name));
      table.dependsOn.forEach((dependency, position) => {
        if (!names.has(dependency) || dependency === table.name) {
          ctx.addIssue({ code: 'custom', path: ['tables', index, 'dependsOn', position], message: `no other table named "${dependency}" in this pipeline` });
        }
      });
      table.transform.forEach((step, position) => {
        if (step.kind === 'references' && !table.dependsOn.includes(step.body.table)) {
          ctx.addIssue({ code: 'custom', path: ['tables', index, 'transform', position, 'references', 'table'], message: `"${step.body.table}" must also be listed in dependsOn so it is loaded first` });
        }
        const referenced = pipeline.tables.find((other) => other.name === (step.kind === 'references' ? step.body.table : undefined));
        const checked = step.kind === 'references' ? referenceColumns(step.body) : [];
        if (referenced && checked.length !== referenced.primaryKey.length) {
          const key = referenced.primaryKey;
          const message = key.length === 1 ? `"${referenced.name}" has a single-column primaryKey (${key.join('')}); give one column` : `"${referenced.name}" has a composite primaryKey (${key.join(', ')}); list ${key.length} columns, matched to it in that order: column: [${key.join(', ')}]`;
          ctx.addIssue({ code: 'custom', path: ['tables', index, 'transform', position, 'references', 'column'], message });
        }
        if (step.kind === 'lookup') checkLookup({ pipeline, table, body: step.body, path: ['tables', index, 'transform', position, 'lookup'] }, ctx);
      });
    });
    checkTargets(pipeline, ctx);
    // An unknown dependsOn is reported above; ordering around it would also call it a cycle, which it is not.
    const known = new Set(pipeline.tables.map((table) => table.name));
    const knownTables = pipeline.tables.map((table) => ({ ...table, dependsOn: table.dependsOn.filter((name) => known.has(name) && name !== table.name) }));
    const { cycle } = orderTableLevels(knownTables);
    if (cycle.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['tables'], message: `dependsOn forms a cycle among ${cycle.map((table) => table.name).join(', ')}` });
    }
    checkSteps(pipeline, ctx);
    // Only a cycle the steps add is reported here; unknown names are reported above.
    const knownSteps = pipeline.steps.map((step) => ({ after: Array.isArray(step.after) ? step.after.filter((name) => known.has(name)) : step.after, before: step.before }));
    const stepCycle = cycle.length === 0 && pipeline.steps.length > 0 ? orderTableLevels(withStepOrder(knownTables, knownSteps)).cycle : [];
    if (stepCycle.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['steps'], message: `a step's after/before and the tables' dependsOn form a cycle among ${stepCycle.map((table) => table.name).join(', ')}: a table would wait for a step that waits for it` });
    }
    const { warehouse } = pipeline;
    if (warehouse.type === 'redshift' && !warehouse.workgroupName === !warehouse.clusterIdentifier) {
      ctx.addIssue({ code: 'custom', path: ['warehouse'], message: 'set exactly one of workgroupName (Serverless) or clusterIdentifier' });
    }
    const replicated = pipeline.replication?.replicator.type === 'postgres' ? pipeline.replication.replicator.tables : undefined;
    pipeline.tables.forEach((table, index) => {
      if (replicated && table.source && (table.kind ?? 'postgres') === 'postgres' && !replicated.includes(table.source)) {
        ctx.addIssue({ code: 'custom', path: ['tables', index, 'source'], message: `${table.source} is extracted from the replica, so replication.replicator.tables must list it` });
      }
    });
    if (pipeline.lake.kmsKeyId && pipeline.lake.serverSideEncryption !== 'aws:kms') {
      ctx.addIssue({ code: 'custom', path: ['lake', 'kmsKeyId'], message: 'only valid with serverSideEncryption: aws:kms' });
    }
  })
  .transform((pipeline) => ({ ...pipeline, tables: pipeline.tables.map(withSourceLabel) }));

/** The validated pipeline definition: serializable and secret-free, so it can travel as workflow input. */
export type Pipeline = z.output<typeof pipelineSchema>;
export type TableSpec = Pipeline['tables'][number];
export type WarehouseSpec = Pipeline['warehouse'];
export type AlertsSpec = NonNullable<Pipeline['alerts']>;
export type { DatabaseStep } from './steps-schema';
export type { Rollup, TransformStep } from './transform-schema';
