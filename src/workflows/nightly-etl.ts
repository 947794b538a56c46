import { executeChild, isCancellation, log, workflowInfo } from '@temporalio/workflow';
import type { DatabaseRole, ExtractPlan } from '../activities';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { lakeTargetOf, manifestKey } from '../common/lake-layout';
import { resolveReplication } from '../config/replication';
import { quick } from './activities';
import { alertOnFailure, alertOnLowQuality, watchRunTime } from './alerts';
import { failedTable, failureType } from './failures';
import { countError, recordRunDuration } from './metrics';
import { replicationWorkflow } from './replication';
import type { ReplicationSummary, RunManifest, TableRunResult } from './results';
import { runTables } from './run-tables';

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
 * Catches the replica up (when the pipeline replicates, and then reads from it), plans, runs every table
 * (children; loads commit dimensions before facts) and writes the manifest.
 */
async function runPipeline(input: { pipeline: Pipeline; runId: string; runDate: string; startedAt: Date }): Promise<RunManifest> {
  const { pipeline, runId, runDate, startedAt } = input;
  // Without a replication section nothing is added here, so histories of runs without one replay unchanged.
  const replication = await catchUpReplica(pipeline, runId);
  const plans = await planTables(pipeline, replication ? 'replica' : 'source');
  const tables = await runTables({ pipeline, runId, runDate, plans });
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

/**
 * The nightly (or on-demand) run of a pipeline: plan and check every table, then one child workflow per
 * table (loads commit dimensions before facts), a bounded number at a time; then the run manifest. Only references and
 * counts travel through the history, never rows. Emits the run's metrics, and alerts (once per run and
 * kind) on failure, on a run longer than `alerts.maxRunMinutes` and on quality under `alerts.minQualityScore`.
 */
export async function nightlyEtlWorkflow(input: NightlyEtlInput): Promise<RunManifest> {
  const { pipeline } = input;
  const { workflowId: runId } = workflowInfo();
  const startedAt = new Date();
  const runDate = input.runDate ?? startedAt.toISOString().slice(0, 10);
  const run = { pipeline: pipeline.name, runId, runDate };
  const watch = watchRunTime(pipeline.alerts, run);
  try {
    const manifest = await runPipeline({ pipeline, runId, runDate, startedAt });
    recordRunDuration({ pipeline: pipeline.name, status: 'succeeded', seconds: manifest.seconds });
    log.info('run succeeded', { pipeline: pipeline.name, runDate, seconds: manifest.seconds, loadedRows: manifest.totals.loadedRows });
    await alertOnLowQuality(pipeline.alerts, run, manifest.tables);
    return manifest;
  } catch (error) {
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    if (isCancellation(error)) {
      recordRunDuration({ pipeline: pipeline.name, status: 'cancelled', seconds });
      throw error;
    }
    const failure = { pipeline: pipeline.name, table: failedTable(error, runId), type: failureType(error) };
    recordRunDuration({ pipeline: pipeline.name, status: 'failed', seconds });
    countError(failure);
    log.error('run failed', { ...failure, runDate });
    await alertOnFailure(pipeline.alerts, run, error);
    throw error;
  } finally {
    await watch.stop();
  }
}
