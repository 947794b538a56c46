import type { Command } from 'commander';
import { formatRunList, listRuns } from './list-runs';
import type { Client } from '@temporalio/client';
import { steerRun, SteerRejectedError, type SteerAction } from './steer-run';
import type { RunState } from '../workflows/run-updates';
import type { TableProgress } from '../workflows/progress';
import { describeError } from './errors';
import { followRun } from './follow-run';
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

/** Steers a run; a request its validator refused is printed with the run's reason (exit 1), then false. */
async function steerOrExplain(input: { client: Client; workflowId: string; action: SteerAction }): Promise<RunState | undefined | false> {
  try {
    return await steerRun(input);
  } catch (error) {
    if (!(error instanceof SteerRejectedError)) throw error;
    console.error(`${input.workflowId}: ${input.action} refused: ${error.message}`);
    process.exitCode = 1;
    return false;
  }
}

/** One line per table: its step and its rows through extract, transform and load. */
function formatTableLines(tables: readonly TableProgress[]): string[] {
  const cell = (rows: number | undefined) => String(rows ?? '-').padStart(10);
  return [
    `  ${'table'.padEnd(14)}${'step'.padEnd(10)}${'planned'.padStart(10)}${'extracted'.padStart(10)}${'transformed'.padStart(12)}${'loaded'.padStart(10)}`,
    ...tables.map((table) => `  ${table.table.padEnd(14)}${table.stage.padEnd(10)}${cell(table.sourceRows)}${cell(table.extractedRows)}  ${cell(table.transformedRows)}${cell(table.loadedRows)}`),
  ];
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
    .option('--follow', 'show live progress until the run ends (Ctrl-C detaches; the run goes on)')
    .description('show a run: its status and, while it runs, its progress (rows through extract, transform and load per table); a finished run shows its summary or error')
    .action((workflowId: string, options: { follow?: boolean }) =>
      withClient(async (client) => {
        if (options.follow) await followRun({ client, workflowId });
        const view = await readRunProgress({ client, workflowId });
        console.log(`${workflowId}: ${view.label}`);
        if (view.progress) {
          console.log(formatProgressLine(view.progress));
          for (const line of formatTableLines(view.progress.tables)) console.log(line);
        } else if (!(await reportOutcome(client, workflowId))) process.exitCode = 1;
      }),
    );
  for (const [name, effect] of [
    ['pause', 'stops before its next step (running steps finish first)'],
    ['resume', 'continues with its next step'],
  ] as const) {
    program
      .command(name)
      .argument('<workflowId>', 'the run (workflow id)')
      .description(`${name} a run: it ${effect} (the run's ${name}Run update; refused, exit 1, when it would do nothing)`)
      .action((workflowId: string) =>
        withClient(async (client) => {
          const state = await steerOrExplain({ client, workflowId, action: name });
          if (state !== false) console.log(`${workflowId}: ${state ? state.status : `${name} sent`}; it ${effect}`);
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
        const state = await steerOrExplain({ client, workflowId, action: 'cancel' });
        if (state === false) return;
        console.log(`${workflowId}: cancellation requested`);
        if (!options.wait) return;
        await handle.result().catch(() => undefined);
        const { status } = await handle.describe();
        console.log(`${workflowId}: ${status.name.toLowerCase()}`);
        if (status.name !== 'CANCELLED') process.exitCode = 1;
      }),
    );
}
