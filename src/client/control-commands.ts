import type { Command } from 'commander';
import { formatRunList, listRuns, runStatusOf } from './list-runs';
import type { Client } from '@temporalio/client';
import { pauseSignal, resumeSignal } from '../workflows/run-control';
import { describeError } from './errors';
import { formatProgressLine } from './format-progress';
import { formatRunSummary } from './pipeline-run';
import { readRunProgress } from './run-progress';
import { withClient } from './with-client';
import type { RunManifest } from '../workflows';

/** Prints how a closed run ended; returns false (exit non-zero) unless it succeeded. */
export async function reportOutcome(client: Client, workflowId: string): Promise<boolean> {
  try {
    for (const line of formatRunSummary(await client.workflow.getHandle(workflowId).result() as RunManifest)) console.log(line);
    return true;
  } catch (error) {
    console.error(`${workflowId} did not succeed: ${describeError(error)}`);
    return false;
  }
}

/** `etl status|pause|resume|cancel <workflowId>`: look at and steer a run (also works on scheduled runs). */
export function addControlCommands(program: Command): void {
  program
    .command('list')
    .option('--pipeline <name>', 'only the runs of this pipeline')
    .option('--limit <n>', 'how many runs (newest first)', '20')
    .description('recent runs: status (Temporal\'s own once a run is closed, so terminated and timed-out runs say so), run date, start, seconds')
    .action((options: { pipeline?: string; limit: string }) =>
      withClient(async (client) => {
        for (const line of formatRunList(await listRuns({ client, limit: Number(options.limit) || 20, pipeline: options.pipeline }))) console.log(line);
      }),
    );
  program
    .command('status')
    .argument('<workflowId>', 'the run (workflow id), as printed by etl run or shown in the Web UI')
    .description('show a run: its status and, while it runs, its progress; a finished run shows its summary or error')
    .action((workflowId: string) =>
      withClient(async (client) => {
        const view = await readRunProgress({ client, workflowId });
        console.log(`${workflowId}: ${runStatusOf(await client.workflow.getHandle(workflowId).describe())}`);
        if (view.progress) {
          console.log(formatProgressLine(view.progress));
          for (const table of view.progress.tables) console.log(`  ${table.table.padEnd(14)}${table.stage.padEnd(10)}${String(table.extractedRows ?? '').padStart(10)} rows`);
        } else if (!(await reportOutcome(client, workflowId))) process.exitCode = 1;
      }),
    );
  for (const [name, signal, effect] of [
    ['pause', pauseSignal, 'stops before its next step (running steps finish first)'],
    ['resume', resumeSignal, 'continues with its next step'],
  ] as const) {
    program
      .command(name)
      .argument('<workflowId>', 'the run (workflow id)')
      .description(`${name} a run: it ${effect}`)
      .action((workflowId: string) =>
        withClient(async (client) => {
          await client.workflow.getHandle(workflowId).signal(signal);
          console.log(`${workflowId}: ${name} sent; it ${effect}`);
        }),
      );
  }
  program
    .command('cancel')
    .argument('<workflowId>', 'the run (workflow id)')
    .option('--no-wait', 'return once the cancellation is requested')
    .description('cancel a run: its running step stops, its load rolls back, its lake files are removed')
    .action((workflowId: string, options: { wait: boolean }) =>
      withClient(async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        const before = (await handle.describe()).status.name;
        if (before !== 'RUNNING') throw new Error(`${workflowId} already ended (${before.toLowerCase()}); there is nothing to cancel`);
        await handle.cancel();
        console.log(`${workflowId}: cancellation requested`);
        if (!options.wait) return;
        await handle.result().catch(() => undefined);
        const { status } = await handle.describe();
        console.log(`${workflowId}: ${status.name.toLowerCase()}`);
        if (status.name !== 'CANCELLED') process.exitCode = 1;
      }),
    );
}
