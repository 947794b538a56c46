import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';
import { loadPipeline, type Pipeline } from '../../src/config';
import { seedDemoData } from '../../src/dev/seed';
import { nightlyEtlWorkflow } from '../../src/workflows';
import { compareWarehouse } from '../support/expected';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
let harness: Harness;
let pipeline: Pipeline;

/** A real worker process (npm run worker), so SIGKILL is what a crashed host looks like. */
function startWorker(taskQueue: string): ChildProcess {
  const log = createWriteStream(`${harness.settings.stateDir}/crash-test-worker.log`, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts'], {
    env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** Waits until the child workflow of `table` runs `activity` (started on a worker), with progress if asked. */
async function waitForActivity(input: { workflowId: string; activity: string; withProgress: boolean }): Promise<void> {
  const handle = harness.client.workflow.getHandle(input.workflowId);
  for (let polls = 0; polls < 6000; polls += 1) {
    const described = await handle.describe().catch(() => undefined);
    const pending = described?.raw.pendingActivities ?? [];
    const running = pending.find((activity) => activity.activityType?.name === input.activity && activity.state === STARTED);
    if (running && (!input.withProgress || running.heartbeatDetails)) return;
    await sleep(25);
  }
  throw new Error(`${input.activity} never started in ${input.workflowId}`);
}

async function kill(worker: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  harness = await createHarness();
  const demo = await loadPipeline({ file: 'pipelines/demo.yaml' });
  pipeline = { ...demo, name: 'crash', extract: { partRows: 10_000 } };
  await seedDemoData({ pool: harness.source, rows: 200_000, seed: 11 });
  await resetWarehouse(harness.warehouse);
});
afterAll(() => harness.close());

describe('a worker killed mid-run', () => {
  it('is replaced and the run completes, during extract and again during load, with no loss and no duplicates', async () => {
    const taskQueue = `crash-${randomUUID()}`;
    const workflowId = `test-crash-${randomUUID()}`;
    const handle = await harness.client.workflow.start(nightlyEtlWorkflow, { taskQueue, workflowId, args: [{ pipeline, runDate: '2026-02-01' }] });
    const sales = `${workflowId}.sales`;

    const first = startWorker(taskQueue);
    await waitForActivity({ workflowId: sales, activity: 'extractTable', withProgress: true });
    await kill(first);

    const second = startWorker(taskQueue);
    await waitForActivity({ workflowId: sales, activity: 'loadIntoPostgres', withProgress: false });
    await kill(second);

    const third = startWorker(taskQueue);
    try {
      const manifest = await handle.result();
      const salesResult = manifest.tables.find((table) => table.table === 'sales');
      expect(salesResult?.extractedRows).toBe(salesResult ? salesResult.loadedRows + salesResult.rejectedRows : -1);
      const history = await harness.client.workflow.getHandle(sales).fetchHistory();
      const attempts = (history.events ?? []).flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt ?? 1] : []));
      expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    } finally {
      await kill(third);
    }
    const comparison = await compareWarehouse(harness.source, harness.warehouse);
    for (const [table, { expected, actual }] of Object.entries(comparison)) expect({ table, ...actual }).toEqual({ table, ...expected });
  }, 600_000);
});
