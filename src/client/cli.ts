import { Command } from 'commander';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { addControlCommands } from './control-commands';
import { describeError } from './errors';
import { applyGlobalOptions, ENVIRONMENT_HELP, exitQuietlyOnClosedOutput } from './cli-environment';
import { addHistoryCommands } from './history-commands';
import { addScheduleCommands } from './schedule-commands';
import { addReplicationCommands } from './replication-commands';
import { addReprocessCommand } from './reprocess-command';
import { addResetCommand } from './reset-command';

// Only commander and the command definitions load here: each action imports what it runs (the Temporal
// client, the config schema, DuckDB…) when it runs, so `etl --help` and argument errors stay fast.
silenceAwsNodeVersionNotice();
exitQuietlyOnClosedOutput();

const program = new Command('etl')
  .description('temporal-etl: durable Postgres → S3 → warehouse ETL on Temporal')
  .option('--address <host:port>', 'Temporal frontend address (overrides TEMPORAL_ADDRESS)')
  .option('--namespace <name>', 'Temporal namespace (overrides TEMPORAL_NAMESPACE)')
  .addHelpText('after', ENVIRONMENT_HELP)
  .hook('preAction', () => applyGlobalOptions(program.opts()));

program
  .command('validate')
  .argument('<pipeline.yaml>', 'pipeline file')
  .description('validate a pipeline file and the environment without starting anything')
  .action(async (file: string) => (await import('./run-actions.js')).validatePipelineFile(file));

program
  .command('run')
  .argument('<pipeline.yaml>', 'pipeline file')
  .option('--run-date <YYYY-MM-DD>', 'the day to process, as the data interval of the run (window: interval tables read it); default: ad hoc, up to now')
  .option('--no-wait', 'start the run and return without waiting for its result')
  .option('--follow', 'show live progress until the run ends; exit 0 only if it succeeded')
  .description('run a pipeline on the workers polling the task queue (start one with: npm run worker)')
  .action(async (file: string, options: { wait: boolean; follow?: boolean; runDate?: string }) => (await import('./run-actions.js')).runPipelineFile(file, options));

program
  .command('check')
  .argument('<pipeline.yaml>', 'pipeline file')
  .description('check that a worker reaches every system the pipeline uses (Postgres, S3, DuckDB)')
  .action(async (file: string) => (await import('./run-actions.js')).checkPipelineFile(file));

addControlCommands(program);
addHistoryCommands(program);
addScheduleCommands(program);
addReplicationCommands(program);
addResetCommand(program);
addReprocessCommand(program);

program.parseAsync().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});
