import { z } from 'zod';
import { replicationSchema } from './replication-schema';
import { scheduleSchema } from './schedule-schema';
import { checkSteps, databaseStepSchema } from './steps-schema';
import { orderTableLevels, withStepOrder } from './table-order';
import { alertsSchema } from './alerts-schema';
import { checkTable, checkTargets } from './pipeline-checks';
import { checkSourceKind, tableSchema, withSourceLabel } from './table-schema';
import { warehouseSchema } from './warehouse-schema';
import { formatMebibytes, parseMemorySize } from '../common/memory-size';

/** What a worker's DuckDB sessions share when neither the pipeline nor the worker says otherwise: fits a 2-core 4 GB machine. */
export const DEFAULT_DUCKDB = { threads: 2, memoryLimit: '512MB', sessions: 2 } as const;
const MIN_SESSION_BYTES = 64 * 2 ** 20;

const memorySize = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/, 'expected a size such as 512MB or 2GB');

/** A pipeline file: the lake, the warehouse, the tables and their checks across tables (table-schema, pipeline-checks). */
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
    warehouse: warehouseSchema,
    duckdb: z
      .strictObject({
        threads: z.int().min(1).max(256).default(2),
        /** The DuckDB memory of one worker process, shared by all its sessions (see sessions). */
        memoryLimit: memorySize.default(DEFAULT_DUCKDB.memoryLimit),
        /** How many DuckDB sessions one worker runs at once, each limited to memoryLimit / sessions; more wait (heartbeating). */
        sessions: z.int().min(1).max(64).default(DEFAULT_DUCKDB.sessions),
      })
      .prefault({})
      .check((ctx) => {
        const share = parseMemorySize(ctx.value.memoryLimit) / ctx.value.sessions;
        if (share < MIN_SESSION_BYTES) {
          ctx.issues.push({ code: 'custom', input: ctx.value.memoryLimit, path: ['memoryLimit'], message: `${ctx.value.memoryLimit} over ${ctx.value.sessions} sessions leaves ${formatMebibytes(share)} each; a DuckDB session needs at least 64MiB: raise duckdb.memoryLimit or lower duckdb.sessions` });
        }
      }),
    extract: z
      .strictObject({
        /** Rows per raw Parquet part; one part is the unit of resume after a crash. */
        partRows: z.int().min(1000).default(1_000_000),
        /** How many parts of one table are copied out of the source at once, each on its own connection. */
        parallelCopies: z.int().min(1).max(16).default(2),
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
    /**
     * How long a running step may go without a heartbeat before Temporal retries it on another worker (a
     * worker that died): 20 s unless set, at least 8 (heartbeats reach Temporal at most 5 s apart). Shorter notices a
     * lost worker sooner; longer tolerates long pauses.
     */
    heartbeatTimeoutSeconds: z.int().min(8).max(3600).optional(),
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
    pipeline.tables.forEach((table, index) => checkTable({ pipeline, table, index }, ctx));
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
export type { LoadMode, NullWatermarkPolicy, SchemaChangePolicy } from './table-schema';
export type { DatabaseStep } from './steps-schema';
export type { Rollup, TransformStep } from './transform-schema';
