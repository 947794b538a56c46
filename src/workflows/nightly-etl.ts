import { CancellationScope, isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import type { DatabaseRole, ExtractPlan, SavedState } from '../activities';
import type { PipelineInput } from '../config/pipeline-input';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { lakeTargetOf } from '../common/lake-layout';
import { quick } from './activities';
import { alertOnFailure, alertOnLowQuality, watchRunTime } from './alerts';
import { catchUpReplica } from './catch-up-replica';
import { planSteps } from './database-steps';
import { failedTable, failureMessage, failureType } from './failures';
import { validatedPipeline } from './pipeline-input';
import { writeRunManifest } from './manifest';
import { countError, recordRunDuration } from './metrics';
import type { RunManifest } from './results';
import { resolveRunInterval, type RunInterval } from './run-date';
import { runTables } from './run-tables';
import { findTable, stepSummary } from './table-etl';
import { skipReasonOf, type SkipReason } from './skip-tables';
import { trackRun, type RunTracking } from './run-tracking';
import { createSelfCancel } from './self-cancel';

export interface NightlyEtlInput {
  /** As written in the YAML file (e.g. `YAML.parse(text)`) or normalized by `loadPipeline`; validated first. */
  pipeline: PipelineInput | Pipeline;
  /** The business day this run processes (YYYY-MM-DD); defaults to the day the run started (or was scheduled for). */
  runDate?: string;
}

interface RunContext {
  pipeline: Pipeline;
  runId: string;
  runDate: string;
  /** The data interval this run covers (see resolveRunInterval). */
  interval: RunInterval;
  startedAt: Date;
  tracking: RunTracking;
}

function readWatermark(pipeline: Pipeline, table: TableSpec): Promise<SavedState> {
  const { warehouse } = pipeline;
  const at = { pipeline: pipeline.name, table: table.name };
  const summary = { summary: `read the saved watermark of ${table.name} (${pipeline.name})` };
  return warehouse.type === 'redshift' ? quick.readRedshiftWatermark.executeWithOptions(summary, [{ ...at, warehouse }]) : quick.readPostgresWatermark.executeWithOptions(summary, [at]);
}

/** Checks every table (catalog, watermark, transform) and fixes its window before any data moves: one activity per step and table. */
async function planEachTable(pipeline: Pipeline, database: DatabaseRole, interval: RunInterval, runDate: string): Promise<Map<string, ExtractPlan>> {
  const plans = await Promise.all(
    pipeline.tables.map(async (table: TableSpec) => {
      const saved: SavedState = table.mode === 'full-refresh' ? {} : await readWatermark(pipeline, table);
      const summary = (step: string) => ({ summary: stepSummary(step, { pipeline: pipeline.name, table: table.name, runDate }) });
      // A files table's plan reads its bookmarks in the warehouse and lists the landing prefix.
      const files = table.kind === 'files' ? { warehouse: pipeline.warehouse, lake: { bucket: pipeline.lake.bucket, prefix: pipeline.lake.prefix } } : {};
      const plan = await quick.planExtract.executeWithOptions(summary('plan extract of'), [{ pipeline: pipeline.name, table, database, since: saved.watermark, previous: saved.sourceMark, interval, ...files }]);
      const checked = await quick.checkTransform.executeWithOptions(summary('check transform of'), [{ pipeline: pipeline.name, table, sourceColumns: plan.columns, warehouse: pipeline.warehouse }]);
      const planned: ExtractPlan = checked.schemaChange ? { ...plan, schemaChange: checked.schemaChange } : plan;
      return [table.name, planned] as const;
    }),
  );
  return new Map(plans);
}

/**
 * Plans every table in one activity (watermarks, catalog, window, transform check), and marks the tables whose
 * window is empty and whose load would save nothing new: they skip extract, transform and load. Runs
 * recorded before this replay the per-table activities (planEachTable) and skip nothing.
 */
async function planTables(pipeline: Pipeline, database: DatabaseRole, interval: RunInterval, runDate: string): Promise<{ plans: Map<string, ExtractPlan>; skips: Map<string, SkipReason> }> {
  if (!patched('plan-tables-at-once')) return { plans: await planEachTable(pipeline, database, interval, runDate), skips: new Map() };
  const count = pipeline.tables.length;
  const summary = { summary: `plan ${count} table${count === 1 ? '' : 's'} (${pipeline.name}, ${runDate})` };
  const { tables } = await quick.planTables.executeWithOptions(summary, [{ pipeline, database, interval }]);
  const plans = new Map(tables.map((planned) => [planned.table, planned.plan]));
  const skips = new Map<string, SkipReason>();
  for (const planned of tables) {
    const reason = skipReasonOf(findTable(pipeline, planned.table), planned);
    if (reason) skips.set(planned.table, reason);
  }
  return { plans, skips };
}

/** Catches the replica up (when the pipeline replicates, and then reads from it), plans, runs every table, writes the manifest. */
async function runPipeline(context: RunContext): Promise<RunManifest> {
  const { pipeline, runId, tracking } = context;
  // Without steps nothing is added (not even the patch marker), so histories of runs without them replay unchanged.
  const steps = pipeline.steps.length > 0 && patched('pipeline-steps') ? planSteps({ pipeline, runId }) : undefined;
  if (steps) {
    tracking.progress.step = 'steps';
    await steps.runAt('start');
    tracking.progress.step = 'plan';
  }
  // Without a replication section nothing is added here, so histories of runs without one replay unchanged.
  const replication = await catchUpReplica(pipeline, runId);
  const { plans, skips } = await planTables(pipeline, replication ? 'replica' : 'source', context.interval, context.runDate);
  for (const [table, plan] of plans) tracking.updateTable(table, { sourceRows: plan.sourceRows });
  tracking.startTables();
  const tables = await runTables({ ...context, plans, skips, steps });
  await tracking.control.waitIfResumed();
  if (steps) {
    tracking.progress.step = 'steps';
    await steps.runAt('end');
  }
  tracking.progress.step = 'manifest';
  return writeRunManifest({ ...context, tables, replication, steps: steps?.results() });
}

/**
 * A cancelled or failed run removes the lake files of every table it had not finished (their loads rolled
 * back, so the warehouse has none of their rows); a table already loaded keeps its files beside its committed
 * rows. No manifest points at the removed files, so nothing else would ever read them.
 */
async function deleteUnfinishedFiles(context: RunContext): Promise<void> {
  const { pipeline, runId, runDate, tracking } = context;
  tracking.progress.step = 'cleanup';
  const unfinished = tracking.progress.tables.filter((table) => table.stage !== 'done');
  const locations = unfinished.map((table) => ({ prefix: pipeline.lake.prefix, table: table.table, runDate, runId }));
  await CancellationScope.nonCancellable(() => quick.deleteRunFiles.executeWithOptions({ summary: `remove the lake files of unfinished tables (${unfinished.map((table) => table.table).join(', ') || 'none'}) (${pipeline.name}, ${runDate})` }, [{ lake: lakeTargetOf(pipeline), locations }]));
}

async function cleanUpCancelledRun(context: RunContext): Promise<void> {
  await deleteUnfinishedFiles(context);
  context.tracking.setStatus('cancelled');
}

/** A failed run's cleanup never hides the failure: if the lake cannot be cleaned, that is only logged. */
async function cleanUpFailedRun(context: RunContext): Promise<void> {
  // Runs that failed before this step existed replay without it.
  if (!patched('clean-up-failed-runs')) return;
  try {
    await deleteUnfinishedFiles(context);
  } catch (error) {
    log.warn('lake files of the failed run were not removed', { pipeline: context.pipeline.name, runId: context.runId, error: error instanceof Error ? error.message : String(error) });
  }
}

/**
 * Lake retention (lake.retainRawDays): a succeeded run deletes the raw folders of its tables whose run date is
 * older than the retention before its own run date. A pipeline without the setting adds no command, so its
 * histories replay unchanged; a failed cleanup is logged, never failing a run whose data has committed.
 */
async function deleteExpiredRawData(context: RunContext): Promise<void> {
  const { pipeline, runDate } = context;
  const retainRawDays = pipeline.lake.retainRawDays;
  if (retainRawDays === undefined || !patched('lake-retention')) return;
  const tables = pipeline.tables.map((table) => table.name);
  try {
    const removed = await quick.deleteExpiredRawData.executeWithOptions({ summary: `remove raw data older than ${retainRawDays} days (${pipeline.name}, ${runDate})` }, [
      { pipeline: pipeline.name, lake: lakeTargetOf(pipeline), prefix: pipeline.lake.prefix, tables, runDate, retainRawDays },
    ]);
    if (removed.deletedObjects > 0) log.info('lake retention removed raw data', { pipeline: pipeline.name, retainRawDays, runDates: removed.runDates, objects: removed.deletedObjects });
  } catch (error) {
    log.warn('lake retention could not remove old raw data; the next run tries again', { pipeline: pipeline.name, retainRawDays, error: error instanceof Error ? error.message : String(error) });
  }
}

const elapsedSeconds = (context: RunContext) => (Date.now() - context.startedAt.getTime()) / 1000;

/** Metrics, the log line and the alert of a failed run (not of a cancelled one). */
async function reportFailure(context: RunContext, error: unknown): Promise<void> {
  const { pipeline, runId, runDate } = context;
  const failure = { pipeline: pipeline.name, table: failedTable(error, runId), type: failureType(error) };
  context.tracking.setStatus('failed');
  recordRunDuration({ pipeline: pipeline.name, status: 'failed', seconds: elapsedSeconds(context) });
  countError(failure);
  log.error('run failed', { ...failure, runDate, message: failureMessage(error), error });
  await alertOnFailure(pipeline.alerts, { pipeline: pipeline.name, runId, runDate }, error);
}

/**
 * The nightly (or on-demand) run of a pipeline: validate the pipeline input (written or normalized; an
 * invalid one fails at once, naming the field, before any activity), catch the replica up if the pipeline replicates, plan and
 * check every table, then one child workflow per table (loads commit dimensions before facts), a bounded
 * number at a time; then the run manifest. Only references and counts travel through the history, never rows.
 * Signals `pause`/`resume` act between steps, the `progress` query reports where it is, a cancelled or failed
 * run cleans its unfinished tables' lake files up, a succeeded one removes raw data past the lake retention; metrics are emitted, and alerts sent (once per run and kind) on failure, on a run longer
 * than `alerts.maxRunMinutes` and on quality under `alerts.minQualityScore`.
 */
export async function nightlyEtlWorkflow(input: NightlyEtlInput): Promise<RunManifest> {
  const pipeline = validatedPipeline(input);
  const { workflowId: runId } = workflowInfo();
  const startedAt = new Date();
  const { runDate, interval } = resolveRunInterval({ runDate: input.runDate, timeZone: pipeline.schedule?.timezone, startedAt });
  // The body runs in a scope of its own, which the cancelRun update cancels (Temporal's cancel request reaches it too).
  const body = createSelfCancel({ pipeline: pipeline.name });
  const tracking = trackRun({ pipeline, runId, runDate, interval, startedAt, cancel: (request) => body.request(request) });
  const context: RunContext = { pipeline, runId, runDate, interval, startedAt, tracking };
  const watch = watchRunTime(pipeline.alerts, { pipeline: pipeline.name, runId, runDate });
  try {
    const manifest = await body.run(() => runPipeline(context));
    await deleteExpiredRawData(context);
    context.tracking.progress.step = 'done';
    context.tracking.setStatus('succeeded');
    recordRunDuration({ pipeline: pipeline.name, status: 'succeeded', seconds: manifest.seconds });
    log.info('run succeeded', { pipeline: pipeline.name, runDate, seconds: manifest.seconds, loadedRows: manifest.totals.loadedRows });
    await alertOnLowQuality(pipeline.alerts, { pipeline: pipeline.name, runId, runDate }, manifest.tables);
    return manifest;
  } catch (error) {
    if (!isCancellation(error)) {
      await reportFailure(context, error);
      await cleanUpFailedRun(context);
      throw error;
    }
    recordRunDuration({ pipeline: pipeline.name, status: 'cancelled', seconds: elapsedSeconds(context) });
    log.info('run cancelled', { pipeline: pipeline.name, runDate, reason: body.reason(), unfinished: tracking.progress.tables.filter((table) => table.stage !== 'done').map((table) => table.table) });
    await cleanUpCancelledRun(context);
    return await body.endCancelled(error);
  } finally {
    await watch.stop();
  }
}
