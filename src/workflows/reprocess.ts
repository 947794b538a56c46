import { ApplicationFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import type { RawTableRun } from '../activities';
import { lakeTargetOf } from '../common/lake-layout';
import { checkReprocessRange } from '../common/reprocess-range';
import type { PipelineInput } from '../config/pipeline-input';
import type { Pipeline } from '../config/pipeline-schema';
import { quick } from './activities';
import { validatedPipeline } from './pipeline-input';
import { reprocessDayWorkflow } from './reprocess-day';
import type { RunManifest } from './results';

export interface ReprocessPipelineInput {
  pipeline: PipelineInput | Pipeline;
  /** First and last run date (YYYY-MM-DD), both included. */
  from: string;
  to: string;
  /** Table names; every table of the pipeline when empty or absent. */
  tables?: string[];
}

export interface ReprocessSummary {
  pipeline: string;
  from: string;
  to: string;
  /** One manifest per run date, in date order. */
  days: RunManifest[];
}

/**
 * `etl reprocess`: transform and load some run dates again from the raw Parquet their latest succeeded runs
 * left in the lake, after a rule change, without reading the source. First the raw run of every day and table
 * is found (a day without raw data, or past the lake retention, fails here before anything loads); then one
 * child workflow per day, in date order, so a resumed reprocess goes on from the first unfinished day.
 */
export async function reprocessPipelineWorkflow(input: ReprocessPipelineInput): Promise<ReprocessSummary> {
  const pipeline = validatedPipeline(input);
  const range = checkReprocessRange({ pipeline, from: input.from, to: input.to, tables: input.tables });
  if ('issue' in range) throw ApplicationFailure.nonRetryable(`pipeline ${pipeline.name}, step reprocess: ${range.issue}`, 'ConfigError');
  const lake = lakeTargetOf(pipeline);
  const found: { runDate: string; raw: RawTableRun[] }[] = [];
  for (const runDate of range.days) {
    const raw = await quick.findRawRuns.executeWithOptions({ summary: `find the raw data of ${range.tables.join(', ')} (${pipeline.name}, ${runDate})` }, [
      { pipeline: pipeline.name, lake, prefix: pipeline.lake.prefix, runDate, tables: range.tables, retainRawDays: pipeline.lake.retainRawDays },
    ]);
    found.push({ runDate, raw });
  }
  const { workflowId } = workflowInfo();
  const days: RunManifest[] = [];
  for (const { runDate, raw } of found) {
    days.push(await executeChild(reprocessDayWorkflow, {
        workflowId: `${workflowId}.${runDate}`,
        staticSummary: `${pipeline.name} · reprocess ${runDate} (${raw.map((run) => run.table).join(', ')}; from the lake's raw data)`,
        args: [{ pipeline, runDate, raw }],
      }),);
  }
  return { pipeline: pipeline.name, from: input.from, to: input.to, days };
}
