import type { Command } from 'commander';
import type { Pipeline } from '../config/pipeline-schema';
import { checkReprocessRange, parseTableList, type ReprocessRange } from '../common/reprocess-range';

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
    .action(async (file: string, options: ReprocessOptions & { wait: boolean }) => (await import('./reprocess-actions.js')).reprocessPipelineFile(file, options));
}
