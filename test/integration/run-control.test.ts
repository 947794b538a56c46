import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { listKeys } from '../../src/runtime/lake';
import { processedPrefix, rawPrefix, rejectedPrefix, manifestKey } from '../../src/common/lake-layout';
import { ETL_STATUS } from '../../src/common/search-attributes';
import type { Pipeline } from '../../src/config';
import { seedDemoData } from '../../src/dev/seed';
import { nightlyEtlWorkflow } from '../../src/workflows';
import { progressQuery, tableProgressQuery } from '../../src/workflows/progress';
import { pauseSignal, resumeSignal } from '../../src/workflows/run-control';
import type { AuditTrail } from '../../src/client/audit-trail';
import { etl, temporalCli, waitFor } from '../support/commands';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { demoFromSource } from '../support/pipelines';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
/** The advisory lock every warehouse load takes first (warehouse-postgres.ts): holding it holds loads. */
const LOAD_LOCK = 7_310_001;
let harness: Harness;
let pipeline: Pipeline;
let seeded: { customers: number; products: number; sales: number };

beforeAll(async () => {
  harness = await createHarness();
  pipeline = await demoFromSource();
  seeded = await seedDemoData({ pool: harness.source, rows: 3000, seed: 5 });
  await resetWarehouse(harness.warehouse);
});
afterAll(() => harness.close());

/** Resolves once `activity` runs (started on a worker) in workflow `workflowId`. */
function activityRunning(workflowId: string, activity: string): Promise<true> {
  return waitFor(`${activity} running in ${workflowId}`, async () => {
    const pending = (await harness.client.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? [];
    return pending.some((candidate) => candidate.activityType?.name === activity && candidate.state === STARTED) ? true : undefined;
  });
}

function start(runDate: string) {
  return { taskQueue: harness.settings.temporal.taskQueue, workflowId: `test-control-${randomUUID()}`, args: [{ pipeline, runDate }] as [{ pipeline: Pipeline; runDate: string }] };
}

describe('steering a running pipeline', () => {
  it('pauses between steps and resumes, from the Temporal CLI and from etl, and reports progress', async () => {
    const worker = await harness.worker();
    const { settings, client } = harness;
    const lock = await harness.source.connect();
    try {
      await worker.runUntil(async () => {
        // Paused from the start: it plans, then holds before the first table.
        const handle = await client.workflow.signalWithStart(nightlyEtlWorkflow, { ...start('2026-02-01'), signal: pauseSignal });
        const paused = await waitFor('the run to hold before its tables', async () => {
          const progress = await handle.query(progressQuery);
          return progress.step === 'tables' && progress.status === 'paused' ? progress : undefined;
        });
        expect(paused.tables.map((table) => table.stage)).toEqual(['waiting', 'waiting', 'waiting']);
        expect((await handle.describe()).typedSearchAttributes.get(ETL_STATUS)).toBe('paused');
        const queried = await temporalCli(settings, 'workflow', 'query', '-w', handle.workflowId, '--name', 'progress', '-o', 'json');
        expect(JSON.parse(queried.stdout)).toMatchObject({ queryResult: [{ pipeline: 'demo', runDate: '2026-02-01', status: 'paused', step: 'tables', rows: { planned: seeded.customers + seeded.products + seeded.sales } }] });

        // The sales extract blocks on a lock; pausing the run then reaches the running table workflow.
        await lock.query('BEGIN');
        await lock.query('LOCK TABLE raw.sales IN ACCESS EXCLUSIVE MODE');
        expect(await etl(settings, 'resume', handle.workflowId)).toMatchObject({ status: 0 });
        const sales = client.workflow.getHandle(`${handle.workflowId}.sales`);
        await activityRunning(sales.workflowId, 'extractTable');
        expect(await temporalCli(settings, 'workflow', 'signal', '-w', handle.workflowId, '--name', 'pause')).toMatchObject({ status: 0 });
        await waitFor('the pause to reach the sales workflow', async () => ((await sales.query(tableProgressQuery)).paused ? true : undefined));
        await lock.query('COMMIT');
        const held = await waitFor('the sales extract to finish', async () => {
          const progress = await sales.query(tableProgressQuery);
          return progress.extractedRows === undefined ? undefined : progress;
        });
        expect(held).toMatchObject({ stage: 'extract', paused: true, extractedRows: seeded.sales });
        expect((await sales.describe()).raw.pendingActivities ?? []).toEqual([]);
        expect((await etl(settings, 'status', handle.workflowId)).stdout).toMatch(/PAUSED.*sales:extract/);

        expect(await etl(settings, 'resume', handle.workflowId)).toMatchObject({ status: 0 });
        expect((await handle.result()).totals.extractedRows).toBe(seeded.customers + seeded.products + seeded.sales);
        expect((await handle.describe()).typedSearchAttributes.get(ETL_STATUS)).toBe('succeeded');

        const history = await etl(settings, 'history', handle.workflowId, '--json');
        const trail = JSON.parse(history.stdout) as AuditTrail & { childTrails: AuditTrail[] };
        // Paused by signals (signalWithStart, the Temporal CLI), resumed by etl's validated update.
        expect(trail.signals.map((signal) => signal.name)).toEqual(['pause', 'pause']);
        expect(trail.updates.map((update) => update.name)).toEqual(['resumeRun', 'resumeRun']);
        const salesTrail = trail.childTrails.find((child) => child.workflowId === sales.workflowId);
        // Besides the forwarded pause and resume, the run tells sales when customers and products have loaded.
        const salesSignals = salesTrail?.signals.map((signal) => signal.name) ?? [];
        expect(salesSignals.filter((name) => name !== 'dependencyLoaded')).toEqual(['pause', 'resume']);
        expect(salesSignals.filter((name) => name === 'dependencyLoaded')).toHaveLength(2);
        expect(salesTrail?.activities.map((activity) => [activity.activity, activity.outcome, activity.attempts])).toEqual([
          ['extractTable', 'completed', 1],
          ['extractKeys', 'completed', 1],
          ['extractKeys', 'completed', 1],
          ['transformTable', 'completed', 1],
          ['loadIntoPostgres', 'completed', 1],
        ]);

        // Its history, signals included, replays against this code: the run and its three table workflows.
        const replayed = await etl(settings, 'replay', handle.workflowId);
        expect(replayed.status).toBe(0);
        expect(replayed.stdout.trim().split('\n').map((line) => line.split(':')[0])).toEqual([
          handle.workflowId,
          `${handle.workflowId}.customers`,
          `${handle.workflowId}.products`,
          `${handle.workflowId}.sales`,
        ]);
      });
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      lock.release();
    }
  });

  it('cancels mid-load: the load rolls back, the run\'s lake files are removed, etl cancel reports it', async () => {
    await resetWarehouse(harness.warehouse);
    const worker = await harness.worker();
    const { settings, client, deps } = harness;
    const lock = await harness.warehouse.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [LOAD_LOCK]);
    const options = start('2026-02-02');
    const runId = options.workflowId;
    const location = (table: string) => ({ prefix: pipeline.lake.prefix, table, runDate: '2026-02-02', runId });
    const bucket = pipeline.lake.bucket;
    try {
      await worker.runUntil(async () => {
        await client.workflow.start(nightlyEtlWorkflow, options);
        await activityRunning(`${runId}.customers`, 'loadIntoPostgres');
        expect(await listKeys({ s3: deps.s3, bucket, prefix: processedPrefix(location('customers')) })).not.toEqual([]);
        const cancelled = await etl(settings, 'cancel', runId);
        expect(cancelled.stdout).toMatch(/: cancelled$/m);
        expect(cancelled.status).toBe(0);
      });
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [LOAD_LOCK]);
      lock.release();
    }
    const targets = await harness.warehouse.query<{ target: string | null }>(
      "SELECT to_regclass(t) AS target FROM unnest(ARRAY['analytics.customer_dim', 'analytics.product_dim', 'analytics.sales_fact', 'etl_state.loads']) AS t",
    );
    expect(targets.rows.map((row) => row.target)).toEqual([null, null, null, null]);
    for (const table of pipeline.tables.map((spec) => spec.name)) {
      for (const prefix of [rawPrefix(location(table)), processedPrefix(location(table)), rejectedPrefix(location(table))]) {
        expect({ prefix, keys: await listKeys({ s3: deps.s3, bucket, prefix }) }).toEqual({ prefix, keys: [] });
      }
    }
    expect(await listKeys({ s3: deps.s3, bucket, prefix: manifestKey({ prefix: pipeline.lake.prefix, runDate: '2026-02-02', runId }) })).toEqual([]);
    const description = await client.workflow.getHandle(runId).describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(ETL_STATUS)).toBe('cancelled');
    const trail = JSON.parse((await etl(settings, 'history', runId, '--json')).stdout) as AuditTrail & { childTrails: AuditTrail[] };
    expect(trail.cancelRequests).toHaveLength(1);
    expect(trail.activities.find((activity) => activity.activity === 'deleteRunFiles')?.outcome).toBe('completed');
    const customers = trail.childTrails.find((child) => child.workflowId === `${runId}.customers`);
    expect(customers?.activities.find((activity) => activity.activity === 'loadIntoPostgres')?.outcome).toBe('cancelled');
  });

  it('cancels mid-extract: finished tables stay loaded with their files, the unfinished one leaves nothing', async () => {
    await resetWarehouse(harness.warehouse);
    const worker = await harness.worker();
    const { settings, client, deps } = harness;
    const options = start('2026-02-03');
    const runId = options.workflowId;
    const location = (table: string) => ({ prefix: pipeline.lake.prefix, table, runDate: '2026-02-03', runId });
    const bucket = pipeline.lake.bucket;
    const lock = await harness.source.connect();
    try {
      await worker.runUntil(async () => {
        // Planned first (planning counts raw.sales), then the sales extract blocks on a lock.
        const handle = await client.workflow.signalWithStart(nightlyEtlWorkflow, { ...options, signal: pauseSignal });
        await waitFor('the run to hold before its tables', async () => ((await handle.query(progressQuery)).step === 'tables' ? true : undefined));
        await lock.query('BEGIN');
        await lock.query('LOCK TABLE raw.sales IN ACCESS EXCLUSIVE MODE');
        try {
          await handle.signal(resumeSignal);
          await activityRunning(`${runId}.sales`, 'extractTable');
          // The extract's COPY waits on the lock until the cancellation reaches it and cancels the statement.
          expect((await etl(settings, 'cancel', runId)).stdout).toMatch(/: cancelled$/m);
        } finally {
          await lock.query('ROLLBACK');
        }
      });
    } finally {
      lock.release();
    }
    const counts = await harness.warehouse.query<{ customers: string; products: string; sales: string | null }>(
      "SELECT (SELECT count(*) FROM analytics.customer_dim) AS customers, (SELECT count(*) FROM analytics.product_dim) AS products, to_regclass('analytics.sales_fact')::text AS sales",
    );
    // Products with a negative price are rejected (negative_price), so the dimension holds the others.
    const accepted = await harness.source.query<{ n: string }>('SELECT count(*) AS n FROM raw.products WHERE unit_price >= 0');
    expect(counts.rows[0]).toEqual({ customers: String(seeded.customers), products: accepted.rows[0]?.n, sales: null });
    expect(await listKeys({ s3: deps.s3, bucket, prefix: processedPrefix(location('customers')) })).not.toEqual([]);
    expect(await listKeys({ s3: deps.s3, bucket, prefix: rawPrefix(location('sales')) })).toEqual([]);
    const trail = JSON.parse((await etl(settings, 'history', runId, '--json')).stdout) as AuditTrail & { childTrails: AuditTrail[] };
    const sales = trail.childTrails.find((child) => child.workflowId === `${runId}.sales`);
    expect(sales?.activities.map((activity) => [activity.activity, activity.outcome])).toEqual([['extractTable', 'cancelled']]);
    expect(sales?.outcome).toBe('cancelled');
  });
});
