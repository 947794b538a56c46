import type { Client } from '@temporalio/client';
import { Command, Option } from 'commander';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadPipeline, loadSettings, type Settings } from '../config';
import { replicationModes, type ReplicationMode } from '../config/replication-schema';
import { connectClient } from '../workers/temporal-connection';
import { describeError } from './errors';
import { formatRunSummary, startPipelineRun } from './pipeline-run';
import { formatPreflightSummary, startPreflight } from './preflight';
import { formatReplicationStatus, queryReplication, startReplication, stopReplication } from './replication';
import { webUiUrl } from './web-ui';
import { countPollers } from './task-queue';

silenceAwsNodeVersionNotice();

const program = new Command('etl').description('temporal-etl: durable Postgres → S3 → warehouse ETL on Temporal');

program
  .command('validate')
  .argument('<pipeline.yaml>', 'pipeline file')
  .description('validate a pipeline file and the environment without starting anything')
  .action(async (file: string) => {
    const pipeline = await loadPipeline({ file });
    loadSettings();
    console.log(`${file}: valid (pipeline ${pipeline.name}, ${pipeline.tables.length} tables, warehouse ${pipeline.warehouse.type})`);
  });

async function withClient<T>(use: (client: Client, settings: Settings) => Promise<T>): Promise<T> {
  const settings = loadSettings();
  const client = await connectClient(settings);
  try {
    if ((await countPollers({ client, settings })) === 0) {
      console.warn(`warning: no worker polls task queue ${settings.temporal.taskQueue}; the run waits until one starts (npm run worker)`);
    }
    return await use(client, settings);
  } finally {
    await client.connection.close();
  }
}

program
  .command('run')
  .argument('<pipeline.yaml>', 'pipeline file')
  .option('--run-date <YYYY-MM-DD>', 'the business day to process (default: today, UTC)')
  .option('--no-wait', 'start the run and return without waiting for its result')
  .description('run a pipeline on the workers polling the task queue (start one with: npm run worker)')
  .action(async (file: string, options: { wait: boolean; runDate?: string }) => {
    const pipeline = await loadPipeline({ file });
    await withClient(async (client, settings) => {
      const handle = await startPipelineRun({ client, settings, pipeline, runDate: options.runDate });
      console.log(`started ${handle.workflowId}\nWeb UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
      if (options.wait) for (const line of formatRunSummary(await handle.result())) console.log(line);
    });
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
    });
  });

program
  .command('replicate')
  .argument('<pipeline.yaml>', 'pipeline file with a replication section')
  .addOption(new Option('--mode <mode>', 'what to run (default: the pipeline file\'s mode)').choices(replicationModes))
  .option('--progress', 'print the progress of the running replication')
  .option('--stop', 'stop it: the subscription and slot are dropped (Postgres) or the DMS task stopped')
  .description('run the pipeline\'s replication on its own (CDC runs until --stop), or show or stop it')
  .action(async (file: string, options: { mode?: ReplicationMode; progress?: boolean; stop?: boolean }) => {
    const pipeline = await loadPipeline({ file });
    await withClient(async (client, settings) => {
      if (options.progress || options.stop) {
        const status = options.stop ? await stopReplication({ client, pipeline }) : await queryReplication({ client, pipeline });
        for (const line of formatReplicationStatus(status)) console.log(line);
        return;
      }
      const handle = await startReplication({ client, settings, pipeline, mode: options.mode });
      console.log(`started ${handle.workflowId}\nWeb UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
    });
  });

program.parseAsync().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});
