import type { Command } from 'commander';
import type { ResetOptions } from './reset-actions';

/** `etl reset <pipeline.yaml> [--tables a,b] [--truncate] [--reason …] [--yes]`. */
export function addResetCommand(program: Command): void {
  program
    .command('reset')
    .argument('<pipeline.yaml>', 'pipeline file')
    .option('--tables <names>', 'comma-separated table names (default: every table of the pipeline)')
    .option('--truncate', 'also delete every row of the tables\' targets and rollups')
    .option('--reason <text>', 'why, recorded in etl_state.resets and the workflow history', 'not given')
    .option('--yes', 'do not ask for confirmation')
    .description('forget tables\' watermarks (after the source was rebuilt), optionally emptying their targets; audited')
    .action(async (file: string, options: ResetOptions) => (await import('./reset-actions.js')).resetPipelineFile(file, options));
}
