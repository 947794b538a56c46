import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PoolClient } from 'pg';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ETL_PIPELINE, ETL_STATUS, ETL_TABLE } from '../../src/common/search-attributes';
import type { Pipeline } from '../../src/config';
import { seedDemoData } from '../../src/dev/seed';
import { readRunProgress } from '../../src/client/run-progress';
import type { AuditTrail } from '../../src/client/audit-trail';
import { nightlyEtlWorkflow } from '../../src/workflows';
import { progressQuery } from '../../src/workflows/progress';
import { pauseSignal, resumeSignal } from '../../src/workflows/run-control';
import { cancelRunUpdate, pauseRunUpdate } from '../../src/workflows/run-updates';
import { listKeys } from '../../src/runtime/lake';
import { processedPrefix, rawPrefix } from '../../src/common/lake-layout';
import { etl, waitFor } from '../support/commands';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { demoFromSource } from '../support/pipelines';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
const SCHEDULED = temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED;
let harness: Harness;
let pipeline: Pipeline;
let seeded: { customers: number; products: number; sales: number };

beforeAll(async () => {
  harness = await createHarness();
  pipeline = await demoFromSource();
  seeded = await seedDemoData({ pool: harness.source, rows: 3000, seed: 11 });
});
afterAll(() => harness.close());

function start(runDate: string) {
  return { taskQueue: harness.settings.temporal.taskQueue, workflowId: `test-steer-${randomUUID()}`, args: [{ pipeline, runDate }] as [{ pipeline: Pipeline; runDate: string }] };
}

/** Starts the run paused, waits until it holds before its tables, then locks raw.sales so the sales extract will block. */
async function startPausedThenLockSales(options: ReturnType<typeof start>, lock: PoolClient) {
  const handle = await harness.client.workflow.signalWithStart(nightlyEtlWorkflow, { ...options, signal: pauseSignal });
  await waitFor('the run to hold before its tables', async () => ((await handle.query(progressQuery)).step === 'tables' ? true : undefined));
  await lock.query('BEGIN');
  await lock.query('LOCK TABLE raw.sales IN ACCESS EXCLUSIVE MODE');
  return handle;
}

function activityRunning(workflowId: string, activity: string): Promise<true> {
  return waitFor(`${activity} running in ${workflowId}`, async () => {
    const pending = (await harness.client.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? [];
    return pending.some((candidate) => candidate.activityType?.name === activity && candidate.state === STARTED) ? true : undefined;
  });
}

async function countRows(sql: string): Promise<number> {
  return Number((await harness.warehouse.query<{ n: string }>(sql)).rows[0]?.n);
}

/** `etl status <id> --follow`, interrupted with Ctrl-C (SIGINT) once it has drawn its first line. */
function followThenInterrupt(workflowId: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/client/cli.ts', 'status', workflowId, '--follow'], {
      env: { ...process.env, TEMPORAL_TASK_QUEUE: harness.settings.temporal.taskQueue },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr === '') setTimeout(() => child.kill('SIGINT'), 200);
      stderr += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('steering and watching a run', () => {
  it('a run paused mid-way shows rows so far and a frozen ETA; pause is a validated update; the UI names tables and steps', async () => {
    await resetWarehouse(harness.warehouse);
    const worker = await harness.worker();
    const { settings, client } = harness;
    const options = start('2026-02-11');
    const runId = options.workflowId;
    const lock = await harness.source.connect();
    try {
      await worker.runUntil(async () => {
        // Paused from the start it plans (counting raw.sales), then holds; then the sales extract blocks on a lock.
        const handle = await startPausedThenLockSales(options, lock);
        expect((await etl(settings, 'resume', runId)).stdout).toMatch(new RegExp(`^${runId}: running; it continues`, 'm'));
        const sales = client.workflow.getHandle(`${runId}.sales`);
        await activityRunning(sales.workflowId, 'extractTable');
        await waitFor('customers and products to load', async () => {
          const progress = await handle.query(progressQuery);
          return progress.tables.filter((table) => table.stage === 'done').length === 2 ? true : undefined;
        });

        // Pause mid-way: the update returns the new state; a second pause is refused by the run's validator.
        expect((await etl(settings, 'pause', runId)).stdout).toMatch(new RegExp(`^${runId}: paused; it stops before its next step`, 'm'));
        const again = await etl(settings, 'pause', runId);
        expect(again.status).toBe(1);
        expect(again.stderr).toContain(`${runId}: pause refused: run ${runId} is already paused; resume it with: etl resume ${runId}`);
        await expect(handle.executeUpdate(pauseRunUpdate)).rejects.toThrow();

        // Rows so far: the dimensions went through every step; sales has none yet. Counted in the warehouse.
        const loaded = await countRows('SELECT (SELECT count(*) FROM analytics.customer_dim) + (SELECT count(*) FROM analytics.product_dim) AS n');
        const first = await readRunProgress({ client, workflowId: runId });
        expect(first.label).toBe('paused');
        expect(first.progress?.rows).toEqual({ extracted: seeded.customers + seeded.products, transformed: seeded.customers + seeded.products, loaded, planned: seeded.customers + seeded.products + seeded.sales });
        expect(first.progress?.etaSeconds).toBeGreaterThan(0);
        await sleep(2000);
        const second = await readRunProgress({ client, workflowId: runId });
        expect(second.progress?.etaSeconds).toBe(first.progress?.etaSeconds);
        expect(second.progress?.elapsedSeconds).toBeGreaterThan(first.progress?.elapsedSeconds ?? Infinity);
        const status = (await etl(settings, 'status', runId)).stdout;
        expect(status).toMatch(new RegExp(`^${runId}: paused$`, 'm'));
        expect(status).toMatch(/PAUSED .*rows extracted \d+ \/ transformed \d+ \/ loaded \d+ of \d+ .*ETA \d+:\d\d \(paused\)/);
        expect(status).toMatch(new RegExp(`^ {2}customers\\s+done\\s+${seeded.customers}\\s+${seeded.customers}\\s+${seeded.customers}\\s+${seeded.customers}$`, 'm'));

        // Ctrl-C in --follow detaches, says how to cancel, and the run goes on.
        const followed = await followThenInterrupt(runId);
        expect(followed.code).toBe(130);
        expect(followed.stderr).toContain(`detached from ${runId}; the run goes on`);
        expect(followed.stderr).toContain(`cancel it:  etl cancel ${runId}`);
        expect((await handle.describe()).status.name).toBe('RUNNING');

        // The Web UI's labels: the child's summary, details and search attributes; each activity's summary.
        const described = await sales.describe();
        expect(await described.staticSummary()).toBe(`demo · sales · 2026-02-11 (incremental, ${seeded.sales} rows planned)`);
        expect(await described.staticDetails()).toContain('**source** raw.sales → **target** analytics.sales_fact');
        expect(described.typedSearchAttributes.get(ETL_TABLE)).toBe('sales');
        expect(described.typedSearchAttributes.get(ETL_PIPELINE)).toBe('demo');
        const found = await waitFor('the sales workflow by its search attributes', async () => {
          const ids: string[] = [];
          for await (const execution of client.workflow.list({ query: `EtlPipeline = 'demo' AND EtlTable = 'sales' AND WorkflowId = '${sales.workflowId}'` })) ids.push(execution.workflowId);
          return ids.length > 0 ? ids : undefined;
        });
        expect(found).toEqual([sales.workflowId]);
        const summaries = async (workflowId: string) =>
          ((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [])
            .filter((event) => event.eventType === SCHEDULED && event.userMetadata?.summary)
            .map((event) => defaultPayloadConverter.fromPayload<string>(event.userMetadata?.summary as temporal.api.common.v1.IPayload));
        expect(await summaries(sales.workflowId)).toEqual(['extract sales (demo, 2026-02-11)']);
        expect(await summaries(runId)).toEqual(expect.arrayContaining(['plan 3 tables (demo, 2026-02-11)']));
        const metadata = await handle.query<{ definition: { signalDefinitions: { name: string; description: string }[]; queryDefinitions: { name: string; description: string }[]; updateDefinitions: { name: string; description: string }[] } }>('__temporal_workflow_metadata');
        const hasDescription = (list: { name: string; description: string }[]) => Object.fromEntries(list.map((entry) => [entry.name, entry.description !== '']));
        expect(hasDescription(metadata.definition.signalDefinitions)).toEqual({ pause: true, resume: true });
        expect(hasDescription(metadata.definition.updateDefinitions)).toEqual({ pauseRun: true, resumeRun: true, cancelRun: true });
        expect(hasDescription(metadata.definition.queryDefinitions)).toMatchObject({ progress: true });

        await lock.query('COMMIT');
        expect((await etl(settings, 'resume', runId)).stdout).toMatch(new RegExp(`^${runId}: running;`, 'm'));
        const manifest = await handle.result();
        const resumedAgain = await etl(settings, 'resume', runId);
        expect(resumedAgain.status).not.toBe(0);

        // etl list shows the rows the run loaded: every row of the three targets (the warehouse was empty).
        const targets = await countRows('SELECT (SELECT count(*) FROM analytics.customer_dim) + (SELECT count(*) FROM analytics.product_dim) + (SELECT count(*) FROM analytics.sales_fact) AS n');
        expect(manifest.totals.loadedRows).toBe(targets);
        const listed = await waitFor('the run in etl list', async () => {
          const { stdout } = await etl(settings, 'list', '--pipeline', 'demo');
          return stdout.includes(runId) ? stdout : undefined;
        });
        expect(listed).toMatch(new RegExp(`^${runId}\\s+succeeded\\s+2026-02-11\\s+\\S+ \\S+\\s+[\\d.]+\\s+${targets}$`, 'm'));
        const trail = JSON.parse((await etl(settings, 'history', runId, '--json')).stdout) as AuditTrail;
        expect(trail.signals.map((signal) => signal.name)).toEqual(['pause']);
        expect(trail.updates.map((update) => update.name)).toEqual(['resumeRun', 'pauseRun', 'resumeRun']);
      });
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      lock.release();
    }
  });

  it('the cancelRun update alone ends the run cancelled: finished tables stay, the unfinished one commits nothing, who and why are recorded', async () => {
    await resetWarehouse(harness.warehouse);
    const worker = await harness.worker();
    const { settings, client, deps } = harness;
    const options = start('2026-02-12');
    const runId = options.workflowId;
    const location = (table: string) => ({ prefix: pipeline.lake.prefix, table, runDate: '2026-02-12', runId });
    const watermarks = async () =>
      (await harness.warehouse.query<{ table_name: string; watermark: string }>("SELECT table_name, watermark FROM etl_state.watermarks WHERE pipeline = 'demo' ORDER BY table_name")).rows;
    const lock = await harness.source.connect();
    try {
      await worker.runUntil(async () => {
        // Planned first (planning counts raw.sales), then the sales extract blocks on a lock while the dimensions load.
        const handle = await startPausedThenLockSales(options, lock);
        try {
          await handle.signal(resumeSignal);
          await activityRunning(`${runId}.sales`, 'extractTable');
          await waitFor('customers and products to load', async () => ((await handle.query(progressQuery)).tables.filter((table) => table.stage === 'done').length === 2 ? true : undefined));
          // Only the update: no `temporal workflow cancel`, no handle.cancel().
          const state = await handle.executeUpdate(cancelRunUpdate, { args: [{ reason: 'wrong run date' }] });
          expect(state).toMatchObject({ runId, status: 'cancelling', cancelsItself: true });
          await expect(handle.result()).rejects.toThrow();
        } finally {
          await lock.query('ROLLBACK');
        }
      });
    } finally {
      lock.release();
    }
    const handle = client.workflow.getHandle(runId);
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(ETL_STATUS)).toBe('cancelled');
    expect((await etl(settings, 'status', runId)).stdout).toMatch(new RegExp(`^${runId}: cancelled$`, 'm'));
    // The dimensions committed before the cancel and keep their rows and watermarks; sales committed nothing.
    expect(await countRows('SELECT count(*) AS n FROM analytics.customer_dim')).toBe(seeded.customers);
    expect(await countRows("SELECT count(*) AS n FROM (SELECT to_regclass('analytics.sales_fact') AS t) s WHERE t IS NOT NULL")).toBe(0);
    expect((await watermarks()).map((row) => row.table_name)).toEqual(['customers', 'products']);
    expect(await listKeys({ s3: deps.s3, bucket: pipeline.lake.bucket, prefix: rawPrefix(location('sales')) })).toEqual([]);
    expect(await listKeys({ s3: deps.s3, bucket: pipeline.lake.bucket, prefix: processedPrefix(location('customers')) })).not.toEqual([]);
    // Who asked and why: the update (client identity, reason), then the cancel request the run made of itself.
    const trail = JSON.parse((await etl(settings, 'history', runId, '--json')).stdout) as AuditTrail;
    expect(trail.updates.map((update) => [update.name, update.reason, update.by !== 'unknown'])).toEqual([['cancelRun', 'wrong run date', true]]);
    expect(trail.interventions.map((step) => step.action)).toEqual(['cancel requested']);
    expect(trail.interventions[0]?.reason).toMatch(/^cancelRun update \S+: wrong run date$/);
    expect(trail.outcome).toBe('cancelled');
    // A run that has ended cannot be cancelled again: etl says so and exits 1; Temporal refuses the update.
    const again = await etl(settings, 'cancel', runId);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`${runId} already ended (cancelled); there is nothing to cancel`);
    await expect(handle.executeUpdate(cancelRunUpdate, { args: [{}] })).rejects.toThrow();
  });
});
