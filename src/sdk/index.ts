/**
 * temporal-etl's typed client for scripts: workflow names, their input and result types, signals,
 * queries and updates, and `startPipelineRun`. Import it as `temporal-etl` (package `exports`, built by `npm run build`).
 */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { loadPipeline } from '../config/load-pipeline';
import type { PipelineInput } from '../config/pipeline-input';
import type { Pipeline } from '../config/pipeline-schema';
import { loadSettings } from '../config/settings';
import { compactTimestamp, today } from '../client/pipeline-run';
import type { nightlyEtlWorkflow } from '../workflows/nightly-etl';

export type { NightlyEtlInput } from '../workflows/nightly-etl';
export type { TableEtlInput } from '../workflows/table-etl';
export type { ReplicationWorkflowInput, ReplicationStatus } from '../workflows/replication';
export type { PreflightInput, PreflightSummary } from '../workflows/preflight';
export type { ReprocessPipelineInput, ReprocessSummary } from '../workflows/reprocess';
export type { ReprocessDayInput } from '../workflows/reprocess-day';
export type { RunManifest, TableRunResult, ReplicationSummary, ReprocessedFrom } from '../workflows/results';
export type { RunProgress, TableProgress, ProgressSummary } from '../workflows/progress';
export type { Pipeline, TableSpec } from '../config/pipeline-schema';
export type { PipelineInput } from '../config/pipeline-input';
export { checkPipelineInput } from '../config/pipeline-input';
export { ConfigError } from '../config/errors';
export { loadPipeline, parsePipeline } from '../config/load-pipeline';
export { loadSettings, type Settings } from '../config/settings';
export { pauseSignal, resumeSignal } from '../workflows/run-control';
export { pauseRunUpdate, resumeRunUpdate, cancelRunUpdate, type RunState } from '../workflows/run-updates';
export type { CancelRunInput } from '../workflows/self-cancel';
export { summarizeProgress } from '../workflows/progress';
export { progressQuery, tableProgressQuery } from '../workflows/progress';
export { progressQuery as replicationProgressQuery, stopSignal as replicationStopSignal } from '../workflows/replication';

/** The workflow types a worker registers, by what they do. */
export const WORKFLOWS = {
  /** One run of a pipeline: input NightlyEtlInput, result RunManifest. */
  pipelineRun: 'nightlyEtlWorkflow',
  /** One table of a run (a child of pipelineRun): input TableEtlInput, result TableRunResult. */
  tableRun: 'tableEtlWorkflow',
  /** Brings the replica up to date (a child of pipelineRun when the pipeline replicates). */
  replication: 'replicationWorkflow',
  /** Checks that a worker reaches every system a pipeline uses: input PreflightInput, result PreflightSummary. */
  preflight: 'preflightWorkflow',
  /** Transforms and loads run dates again from the lake's raw data: input ReprocessPipelineInput, result ReprocessSummary. */
  reprocess: 'reprocessPipelineWorkflow',
  /** One run date of a reprocess (a child of reprocess): input ReprocessDayInput, result RunManifest. */
  reprocessDay: 'reprocessDayWorkflow',
} as const;

/** The task queue workers poll: TEMPORAL_TASK_QUEUE, else `temporal-etl`. */
export function defaultTaskQueue(): string {
  return loadSettings().temporal.taskQueue;
}

/**
 * Starts a run of a pipeline, from its file (validated here, SQL files inlined) or as an object written
 * like the YAML (validated by the workflow as its first step). The workflow id names the pipeline, the run
 * date and the start time. Wait for the manifest with `await handle.result()`.
 */
export async function startPipelineRun(
  input: { client: Client; runDate?: string; taskQueue?: string; workflowId?: string } & (
    | { pipelineFile: string; pipeline?: undefined }
    | { pipeline: PipelineInput | Pipeline; pipelineFile?: undefined }
  ),
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof nightlyEtlWorkflow>> {
  const pipeline = input.pipelineFile === undefined ? input.pipeline : await loadPipeline({ file: input.pipelineFile });
  const runDate = input.runDate ?? today();
  const name = typeof pipeline.name === 'string' && pipeline.name ? pipeline.name : 'pipeline';
  return input.client.workflow.start<typeof nightlyEtlWorkflow>(WORKFLOWS.pipelineRun, {
    taskQueue: input.taskQueue ?? defaultTaskQueue(),
    workflowId: input.workflowId ?? `${name}-${runDate}-${compactTimestamp()}`,
    args: [{ pipeline, runDate }],
  });
}
