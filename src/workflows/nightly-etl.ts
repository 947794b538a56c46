import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { DatabaseRole, ExtractPlan } from '../activities';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { lakeTargetOf, manifestKey } from '../common/lake-layout';
import { resolveReplication } from '../config/replication';
import { orderTableLevels } from '../config/table-order';
import { quick } from './activities';
import { replicationWorkflow } from './replication';
import type { ReplicationSummary, RunManifest, TableRunResult } from './results';
import { runBounded } from './run-bounded';
import { tableEtlWorkflow } from './table-etl';

export interface NightlyEtlInput {
  pipeline: Pipeline;
  /** The business day this run processes (YYYY-MM-DD); defaults to the day the run started (UTC). */
  runDate?: string;
}

function readWatermark(pipeline: Pipeline, table: TableSpec): Promise<{ watermark?: string }> {
  const { warehouse } = pipeline;
  const at = { pipeline: pipeline.name, table: table.name };
  return warehouse.type === 'redshift' ? quick.readRedshiftWatermark({ ...at, warehouse }) : quick.readPostgresWatermark(at);
}

/** Checks every table (catalog, watermark, transform) and fixes its window before any data moves. */
async function planTables(pipeline: Pipeline, database: DatabaseRole): Promise<Map<string, ExtractPlan>> {
  const plans = await Promise.all(
    pipeline.tables.map(async (table: TableSpec) => {
      const { watermark } = table.mode === 'full-refresh' ? { watermark: undefined } : await readWatermark(pipeline, table);
      const plan = await quick.planExtract({ table, database, since: watermark });
      await quick.checkTransform({ table, sourceColumns: plan.columns });
      return [table.name, plan] as const;
    }),
  );
  return new Map(plans);
}

/**
 * Brings the replica up to date before anything is read from it: a child replicationWorkflow that does the
 * full load the first time, then waits until the replica has applied what the source had committed when it
 * started (and lag is under the threshold), and returns, leaving CDC running for the next run.
 */
async function catchUpReplica(pipeline: Pipeline, runId: string): Promise<ReplicationSummary | undefined> {
  if (!pipeline.replication) return undefined;
  const spec = resolveReplication({ name: pipeline.name, tables: pipeline.tables, replication: pipeline.replication });
  const status = await executeChild(replicationWorkflow, { workflowId: `${runId}.replication`, args: [{ ...spec, until: 'in-sync' }] });
  const { replicator, mode, action, inSync, tables, rows, lag } = status;
  return { replicator, mode, action, inSync, tables: tables.length, rows, lag };
}

/**
 * The nightly (or on-demand) run of a pipeline: bring the replica up to date if the pipeline has a replication
 * section (and read from it), plan and check every table, then one child workflow per
 * table, dimensions before facts, a bounded number at a time; then the run manifest. Only references and
 * counts travel through the history, never rows.
 */
export async function nightlyEtlWorkflow(input: NightlyEtlInput): Promise<RunManifest> {
  const { pipeline } = input;
  const { workflowId: runId } = workflowInfo();
  const startedAt = new Date();
  const runDate = input.runDate ?? startedAt.toISOString().slice(0, 10);
  // Without a replication section nothing is added here, so histories of runs without one replay unchanged.
  const replication = await catchUpReplica(pipeline, runId);
  const plans = await planTables(pipeline, replication ? 'replica' : 'source');
  const tables: TableRunResult[] = [];
  for (const level of orderTableLevels(pipeline.tables).levels) {
    const results = await runBounded(level, pipeline.maxParallelTables, (table) =>
      executeChild(tableEtlWorkflow, {
        workflowId: `${runId}.${table.name}`,
        args: [{ pipeline, table: table.name, runId, runDate, plan: plans.get(table.name) as ExtractPlan }],
      }),
    );
    tables.push(...results);
  }
  const finishedAt = new Date();
  const sum = (pick: (table: TableRunResult) => number) => tables.reduce((total, table) => total + pick(table), 0);
  const manifest: RunManifest = {
    pipeline: pipeline.name,
    runId,
    runDate,
    status: 'succeeded',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    tables,
    totals: { extractedRows: sum((t) => t.extractedRows), rejectedRows: sum((t) => t.rejectedRows), loadedRows: sum((t) => t.loadedRows) },
    ...(replication ? { replication } : {}),
  };
  const { uri } = await quick.writeManifest({ lake: lakeTargetOf(pipeline), key: manifestKey({ prefix: pipeline.lake.prefix, runDate, runId }), manifest });
  return { ...manifest, manifestUri: uri };
}
