import type { Command } from 'commander';
import { loadPipeline } from '../config';
import type { Pipeline } from '../config/pipeline-schema';
import { checkReprocessRange, parseTableList, type ReprocessRange } from '../common/reprocess-range';
import { reprocessPipelineWorkflow, type ReprocessSummary } from '../workflows';
import { compactTimestamp, formatRunSummary } from './pipeline-run';
import { webUiUrl } from './web-ui';
import { withClient } from './with-client';

export interface ReprocessOptions {
  from?: string;
  to?: string;
  tables?: string;
}

/** The days and tables `etl reprocess` covers, or an Error saying which option is wrong, checked before anything starts. */
export function parseReprocessOptions(pipeline: Pick<Pipeline, 'name' | 'tables'>, options: ReprocessOptions): ReprocessRange {
  const range = checkReprocessRange({ pipeline, from: options.from, to: options.to, tables: parseTableList(options.tables) });
  if ('issue' in range) throw new Error(`etl reprocess: ${range.issue}`);
  return range;
}

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

/** `etl reprocess <pipeline.yaml> --from D --to D [--tables a,b] [--no-wait]`. */
export function addReprocessCommand(program: Command): void {
  program
    .command('reprocess')
    .argument('<pipeline.yaml>', 'pipeline file')
    .requiredOption('--from <YYYY-MM-DD>', 'first run date to reprocess')
    .requiredOption('--to <YYYY-MM-DD>', 'last run date to reprocess (included)')
    .option('--tables <names>', 'comma-separated table names (default: every table of the pipeline)')
    .option('--no-wait', 'start the reprocess and return without waiting for its result')
    .description('transform and load run dates again from the raw Parquet in the lake (after a rule change), without reading the source')
    .action(async (file: string, options: ReprocessOptions & { wait: boolean }) => {
      const pipeline = await loadPipeline({ file });
      const range = parseReprocessOptions(pipeline, options);
      await withClient(async (client, settings) => {
        const handle = await client.workflow.start(reprocessPipelineWorkflow, {
          taskQueue: settings.temporal.taskQueue,
          workflowId: `${pipeline.name}-reprocess-${range.days[0] ?? ''}-${range.days.at(-1) ?? ''}-${compactTimestamp()}`,
          args: [{ pipeline, from: options.from ?? '', to: options.to ?? '', tables: range.tables }],
        });
        console.log(`started ${handle.workflowId}: ${range.days.length} days (${range.tables.join(', ')})\nWeb UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
        if (options.wait) for (const line of formatReprocessSummary(await handle.result())) console.log(line);
      }, { startsRuns: true });
    });
}
