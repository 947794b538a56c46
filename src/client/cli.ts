import { Command } from 'commander';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadPipeline, loadSettings } from '../config';
import { connectClient } from '../workers/temporal-connection';
import { formatPreflightSummary, startPreflight, webUiUrl } from './preflight';
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

program
  .command('run')
  .argument('<pipeline.yaml>', 'pipeline file')
  .option('--no-wait', 'start the workflow and return without waiting for its result')
  .description('run a pipeline on the workers polling the task queue (start one with: npm run worker)')
  .action(async (file: string, options: { wait: boolean }) => {
    const pipeline = await loadPipeline({ file });
    const settings = loadSettings();
    const client = await connectClient(settings);
    try {
      if ((await countPollers({ client, settings })) === 0) {
        console.warn(`warning: no worker polls task queue ${settings.temporal.taskQueue}; the run waits until one starts (npm run worker)`);
      }
      const handle = await startPreflight({ client, settings, pipeline });
      console.log(`started ${handle.workflowId}\nWeb UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
      if (!options.wait) return;
      for (const line of formatPreflightSummary(await handle.result())) console.log(line);
    } finally {
      await client.connection.close();
    }
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
