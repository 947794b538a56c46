import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';
import type { Harness } from './harness';

export const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/**
 * The kill tests' pipelines set heartbeatTimeoutSeconds to this: a killed worker's step is retried elsewhere
 * after 8 s instead of the default 20 s, and the tests show the setting at work.
 */
export const KILL_TEST_HEARTBEAT_SECONDS = 8;

/** Each SIGKILL waits out a heartbeat timeout, and a busy machine slows every worker start: room for both. */
export const KILL_TEST_TIMEOUT_MS = 300_000;

/** A worker in its own process (`npm run worker`, as in production, so a test can SIGKILL it), logging to a file in the stack's state folder. */
export function startWorkerProcess(input: { harness: Harness; taskQueue: string; log: string; env?: Record<string, string> }): ChildProcess {
  const log = createWriteStream(`${input.harness.settings.stateDir}/${input.log}`, { flags: 'a' });
  const env = { ...process.env, TEMPORAL_TASK_QUEUE: input.taskQueue, LOG_LEVEL: 'warn', ETL_METRICS_PORT: '0', ...input.env };
  const child = spawn(process.execPath, ['bin/run-dist.cjs', 'workers/main.js'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** SIGKILLs a worker and waits for it to exit; returns when the signal was sent. */
export async function killWorker(worker: ChildProcess): Promise<number> {
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGKILL');
  const at = Date.now();
  await exited;
  return at;
}

/** Waits until an activity of the workflow is running (and, with `withProgress`, has heartbeated). */
export async function waitForActivity(harness: Harness, input: { workflowId: string; activity: string; withProgress: boolean }): Promise<void> {
  const handle = harness.client.workflow.getHandle(input.workflowId);
  for (let polls = 0; polls < 12_000; polls += 1) {
    const described = await handle.describe().catch(() => undefined);
    const running = (described?.raw.pendingActivities ?? []).find((activity) => activity.activityType?.name === input.activity && activity.state === STARTED);
    if (running && (!input.withProgress || running.heartbeatDetails)) return;
    await sleep(20);
  }
  throw new Error(`${input.activity} never started in ${input.workflowId}`);
}
