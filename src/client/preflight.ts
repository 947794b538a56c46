import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Pipeline } from '../config/pipeline-schema';
import type { Settings } from '../config/settings';
import { preflightWorkflow, type PreflightSummary } from '../workflows';
import { compactTimestamp } from './pipeline-run';

/** Starts the preflight workflow for a pipeline; the id names the pipeline and the start time. */
export function startPreflight(input: {
  client: Client;
  settings: Settings;
  pipeline: Pipeline;
}): Promise<WorkflowHandleWithFirstExecutionRunId<typeof preflightWorkflow>> {
  return input.client.workflow.start(preflightWorkflow, {
    taskQueue: input.settings.temporal.taskQueue,
    workflowId: `${input.pipeline.name}-preflight-${compactTimestamp()}`,
    staticSummary: `${input.pipeline.name} · preflight: can the workers reach Postgres, the S3 lake and DuckDB?`,
    args: [{ pipeline: input.pipeline }],
  });
}

/** Human-readable lines for the summary a preflight returns. */
export function formatPreflightSummary(summary: PreflightSummary): string[] {
  return [
    `pipeline ${summary.pipeline}: every system answered`,
    ...summary.databases.map((db) => `  postgres ${db.database.padEnd(9)} PostgreSQL ${db.version}`),
    `  s3       wrote and read back ${summary.lake.bytes} bytes at ${summary.lake.uri}`,
    `  duckdb   ${summary.parquet.duckdbVersion}: wrote and read back ${summary.parquet.rows} rows of Parquet (${summary.parquet.bytes} bytes)`,
  ];
}
