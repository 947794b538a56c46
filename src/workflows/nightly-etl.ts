import { CancellationScope, executeChild, isCancellation, workflowInfo } from '@temporalio/workflow';
import type { ExtractPlan } from '../activities';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { lakeTargetOf } from '../common/lake-layout';
import { orderTableLevels } from '../config/table-order';
import { quick } from './activities';
import { writeRunManifest } from './manifest';
import type { RunManifest, TableRunResult } from './results';
import { runBounded } from './run-bounded';
import { resolveRunDate } from './run-date';
import { trackRun, type RunTracking } from './run-tracking';
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
async function planTables(pipeline: Pipeline): Promise<Map<string, ExtractPlan>> {
  const plans = await Promise.all(
    pipeline.tables.map(async (table: TableSpec) => {
      const { watermark } = table.mode === 'full-refresh' ? { watermark: undefined } : await readWatermark(pipeline, table);
      const plan = await quick.planExtract({ table, database: 'source', since: watermark });
      await quick.checkTransform({ table, sourceColumns: plan.columns });
      return [table.name, plan] as const;
    }),
  );
  return new Map(plans);
}

async function runTables(input: { pipeline: Pipeline; runId: string; runDate: string; tracking: RunTracking }): Promise<TableRunResult[]> {
  const { pipeline, runId, runDate, tracking } = input;
  const plans = await planTables(pipeline);
  for (const [table, plan] of plans) tracking.updateTable(table, { sourceRows: plan.sourceRows });
  tracking.progress.step = 'tables';
  const tables: TableRunResult[] = [];
  for (const level of orderTableLevels(pipeline.tables).levels) {
    const results = await runBounded(level, pipeline.maxParallelTables, async (table) => {
      await tracking.control.waitIfResumed();
      const workflowId = `${runId}.${table.name}`;
      tracking.updateTable(table.name, { stage: 'running' });
      const result = await tracking.control.trackChild(workflowId, () =>
        executeChild(tableEtlWorkflow, {
          workflowId,
          args: [{ pipeline, table: table.name, runId, runDate, plan: plans.get(table.name) as ExtractPlan }],
        }),
      );
      const { extractedRows, rejectedRows, loadedRows, bytes } = result;
      tracking.updateTable(table.name, { stage: 'done', extractedRows, rejectedRows, loadedRows, bytes: bytes.raw + bytes.processed });
      return result;
    });
    tables.push(...results);
  }
  await tracking.control.waitIfResumed();
  tracking.progress.step = 'manifest';
  return tables;
}

/**
 * A cancelled run removes the lake files of every table it had not finished (their loads rolled back, so the
 * warehouse has none of their rows); a table already loaded keeps its files beside its committed rows.
 */
async function cleanUpCancelledRun(input: { pipeline: Pipeline; runId: string; runDate: string; tracking: RunTracking }): Promise<void> {
  const { pipeline, runId, runDate, tracking } = input;
  tracking.progress.step = 'cleanup';
  const unfinished = tracking.progress.tables.filter((table) => table.stage !== 'done');
  const locations = unfinished.map((table) => ({ prefix: pipeline.lake.prefix, table: table.table, runDate, runId }));
  await CancellationScope.nonCancellable(() => quick.deleteRunFiles({ lake: lakeTargetOf(pipeline), locations }));
  tracking.setStatus('cancelled');
}

/**
 * The nightly (or on-demand) run of a pipeline: plan and check every table, then one child workflow per
 * table, dimensions before facts, a bounded number at a time; then the run manifest. Only references and
 * counts travel through the history, never rows. Signals `pause`/`resume` act between steps, the `progress`
 * query reports where it is, and a cancelled run cleans its lake files up (see run-control.ts, progress.ts).
 */
export async function nightlyEtlWorkflow(input: NightlyEtlInput): Promise<RunManifest> {
  const { pipeline } = input;
  const { workflowId: runId } = workflowInfo();
  const startedAt = new Date();
  const runDate = resolveRunDate({ runDate: input.runDate, timeZone: pipeline.schedule?.timezone, startedAt });
  const tracking = trackRun({ pipeline, runId, runDate, startedAt });
  try {
    const tables = await runTables({ pipeline, runId, runDate, tracking });
    const manifest = await writeRunManifest({ pipeline, runId, runDate, startedAt, tables });
    tracking.progress.step = 'done';
    tracking.setStatus('succeeded');
    return manifest;
  } catch (error) {
    if (!isCancellation(error)) {
      tracking.setStatus('failed');
      throw error;
    }
    await cleanUpCancelledRun({ pipeline, runId, runDate, tracking });
    throw error;
  }
}
