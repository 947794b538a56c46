import { Command } from 'commander';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadPipeline, loadSettings } from '../config';
import { addControlCommands, reportOutcome } from './control-commands';
import { describeError } from './errors';
import { applyGlobalOptions, ENVIRONMENT_HELP, exitQuietlyOnClosedOutput } from './cli-environment';
import { followRun } from './follow-run';
import { addHistoryCommands } from './history-commands';
import { addScheduleCommands } from './schedule-commands';
import { formatRunSummary, startPipelineRun } from './pipeline-run';
import { formatPreflightSummary, startPreflight } from './preflight';
import { addReplicationCommands } from './replication-commands';
import { addReprocessCommand } from './reprocess-command';
import { addResetCommand } from './reset-command';
import { webUiUrl } from './web-ui';
import { withClient } from './with-client';

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
  .action(async (file: string) => {
    const pipeline = await loadPipeline({ file });
    loadSettings();
    console.log(`${file}: valid (pipeline ${pipeline.name}, ${pipeline.tables.length} tables, warehouse ${pipeline.warehouse.type})`);
  });

program
  .command('run')
  .argument('<pipeline.yaml>', 'pipeline file')
  .option('--run-date <YYYY-MM-DD>', 'the day to process, as the data interval of the run (window: interval tables read it); default: ad hoc, up to now')
  .option('--no-wait', 'start the run and return without waiting for its result')
  .option('--follow', 'show live progress until the run ends; exit 0 only if it succeeded')
  .description('run a pipeline on the workers polling the task queue (start one with: npm run worker)')
  .action(async (file: string, options: { wait: boolean; follow?: boolean; runDate?: string }) => {
    const pipeline = await loadPipeline({ file });
    await withClient(async (client, settings) => {
      const handle = await startPipelineRun({ client, settings, pipeline, runDate: options.runDate });
      console.log(`started ${handle.workflowId}\nWeb UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
      if (options.follow) {
        await followRun({ client, workflowId: handle.workflowId });
        if (!(await reportOutcome(client, handle.workflowId))) process.exitCode = 1;
      } else if (options.wait) for (const line of formatRunSummary(await handle.result())) console.log(line);
    }, { startsRuns: true });
  });

program
  .command('check')
  .argument('<pipeline.yaml>', 'pipeline file')
  .description('check that a worker reaches every system the pipeline uses (Postgres, S3, DuckDB)')
  .action(async (file: string) => {
    const pipeline = await loadPipeline({ file });
    await withClient(async (client, settings) => {
      const handle = await startPreflight({ client, settings, pipeline });
      for (const line of formatPreflightSummary(await handle.result())) console.log(line);
    }, { startsRuns: true });
  });

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
