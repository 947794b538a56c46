import { loadPipeline } from '../config';
import { reprocessPipelineWorkflow, type ReprocessSummary } from '../workflows';
import { compactTimestamp, formatRunSummary } from './pipeline-run';
import { parseReprocessOptions, type ReprocessOptions } from './reprocess-command';
import { webUiUrl } from './web-ui';
import { withClient } from './with-client';

/** Per day: the raw runs read and the per-table summary. */
export function formatReprocessSummary(summary: ReprocessSummary): string[] {
  return summary.days.flatMap((day) => [
    `reprocessed ${day.runDate} from ${(day.reprocessedFrom ?? []).map((source) => source.runId).join(', ')} (the source was not read; watermarks unchanged; deletes not propagated)`,
    ...formatRunSummary(day),
    ...day.tables.flatMap((table) => (table.withdrawn && table.withdrawn.keys > 0 ? [formatWithdrawn(table.table, table.withdrawn)] : [])),
  ]);
}

/** One table's rows the changed rules now reject, removed from the target. */
function formatWithdrawn(table: string, withdrawn: { keys: number; rows?: number; uri?: string }): string {
  const rows = withdrawn.rows === undefined ? `${withdrawn.keys} keys` : `${withdrawn.rows} rows (${withdrawn.keys} keys)`;
  return `  ${table}: ${rows} now rejected removed from the target; keys in ${withdrawn.uri ?? '-'}`;
}

/** `etl reprocess <file> --from --to`: starts the reprocess workflow and, unless --no-wait, prints each day's summary. */
export async function reprocessPipelineFile(file: string, options: ReprocessOptions & { wait: boolean }): Promise<void> {
  const pipeline = await loadPipeline({ file });
  const range = parseReprocessOptions(pipeline, options);
  await withClient(async (client, settings) => {
    const handle = await client.workflow.start(reprocessPipelineWorkflow, {
      taskQueue: settings.temporal.taskQueue,
      workflowId: `${pipeline.name}-reprocess-${range.days[0] ?? ''}-${range.days.at(-1) ?? ''}-${compactTimestamp()}`,
      staticSummary: `${pipeline.name} · reprocess ${options.from ?? ''} to ${options.to ?? ''} (${range.tables.join(', ')}) from the lake's raw data`,
      args: [{ pipeline, from: options.from ?? '', to: options.to ?? '', tables: range.tables }],
    });
    console.log(`started ${handle.workflowId}: ${range.days.length} days (${range.tables.join(', ')})\nWeb UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
    if (options.wait) for (const line of formatReprocessSummary(await handle.result())) console.log(line);
  }, { startsRuns: true });
}
