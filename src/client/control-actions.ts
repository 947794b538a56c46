import type { Client } from '@temporalio/client';
import { formatRunList, listRuns } from './list-runs';
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
async function steerOrExplain(input: { client: Client; workflowId: string; action: SteerAction; reason?: string }): Promise<RunState | undefined | false> {
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

/** `etl list`: recent runs, newest first. */
export function printRunList(options: { pipeline?: string; limit: string }): Promise<void> {
  return withClient(async (client) => {
    for (const line of formatRunList(await listRuns({ client, limit: Number(options.limit) || 20, pipeline: options.pipeline }))) console.log(line);
  });
}

/** `etl status <id> [--follow]`: progress while it runs, the summary or error once it has closed. */
export function printRunStatus(workflowId: string, options: { follow?: boolean }): Promise<void> {
  return withClient(async (client) => {
    if (options.follow) await followRun({ client, workflowId });
    const view = await readRunProgress({ client, workflowId });
    console.log(`${workflowId}: ${view.label}`);
    if (view.progress) {
      console.log(formatProgressLine(view.progress));
      for (const line of formatTableLines(view.progress.tables)) console.log(line);
    } else if (!(await reportOutcome(client, workflowId))) process.exitCode = 1;
  });
}

/** `etl pause|resume <id>`: the run's update, and the state it reports. */
export function pauseOrResume(workflowId: string, action: 'pause' | 'resume', effect: string): Promise<void> {
  return withClient(async (client) => {
    const state = await steerOrExplain({ client, workflowId, action });
    if (state !== false) console.log(`${workflowId}: ${state ? state.status : `${action} sent`}; it ${effect}`);
  });
}

/** `etl cancel <id>`: the cancelRun update (the run cancels itself), then waits for it to end unless --no-wait. */
export function cancelRun(workflowId: string, options: { wait: boolean; reason?: string }): Promise<void> {
  return withClient(async (client) => {
    const handle = client.workflow.getHandle(workflowId);
    const before = (await handle.describe()).status.name;
    if (before !== 'RUNNING') throw new Error(`${workflowId} already ended (${before.toLowerCase()}); there is nothing to cancel`);
    const state = await steerOrExplain({ client, workflowId, action: 'cancel', reason: options.reason });
    if (state === false) return;
    console.log(`${workflowId}: cancellation requested`);
    if (!options.wait) return;
    await handle.result().catch(() => undefined);
    const { status } = await handle.describe();
    console.log(`${workflowId}: ${status.name.toLowerCase()}`);
    if (status.name !== 'CANCELLED') process.exitCode = 1;
  });
}
