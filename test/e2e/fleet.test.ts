import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { listKeys } from '../../src/runtime/lake';
import { nightlyEtlWorkflow } from '../../src/workflows';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';
import { readRejected } from '../support/lake';
import { KILL_TEST_HEARTBEAT_SECONDS, KILL_TEST_TIMEOUT_MS, killWorker, STARTED, startWorkerProcess } from '../support/worker-processes';

/**
 * Three worker processes on one task queue run one table of six raw parts: its transform is one activity per
 * part, the parts spread over the workers (the child workflow's history names them), a worker SIGKILLed in the
 * middle of a part loses nothing (the part is retried on another worker), and the warehouse holds exactly the
 * source's rows that pass the rules, as SQL written here computes them.
 */
const ROWS = 120_000;
const PART_ROWS = 20_000;
let harness: Harness;

// One activity at a time per worker: parts in flight at once must be on different workers.
const startWorker = (taskQueue: string) => startWorkerProcess({ harness, taskQueue, log: 'fleet-test.log', env: { ETL_WORKER_ACTIVITIES: '1' } });
const kill = killWorker;

/** The worker process running a transform part of the child workflow right now (its identity is pid@host). */
async function workerInTransform(workflowId: string, workers: readonly ChildProcess[]): Promise<ChildProcess> {
  const handle = harness.client.workflow.getHandle(workflowId);
  for (let polls = 0; polls < 30_000; polls += 1) {
    const described = await handle.describe().catch(() => undefined);
    const running = (described?.raw.pendingActivities ?? []).find((activity) => activity.activityType?.name === 'transformTable' && activity.state === STARTED);
    const pid = Number(/^(\d+)@/.exec(running?.lastWorkerIdentity ?? '')?.[1]);
    const worker = workers.find((candidate) => candidate.pid === pid);
    if (worker) return worker;
    await sleep(10);
  }
  throw new Error(`no transform part started in ${workflowId}`);
}

/** Per transformTable activity of a workflow: the identity of the worker that ran its last attempt, and that attempt. */
async function transformAttempts(workflowId: string): Promise<{ identity: string; attempt: number }[]> {
  const events = (await harness.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = new Set(events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'transformTable').map((event) => String(event.eventId)));
  return events.flatMap((event) => {
    const started = event.activityTaskStartedEventAttributes;
    return started && scheduled.has(String(started.scheduledEventId)) ? [{ identity: started.identity ?? '', attempt: started.attempt ?? 1 }] : [];
  });
}

function pipeline(): Pipeline {
  const table = {
    name: 'orders',
    source: 'test_fleet.orders',
    target: 'test_fleet_wh.orders',
    primaryKey: ['order_id'],
    mode: 'merge',
    transform: [{ trim: ['customer'] }, { filter: { rule: 'positive_amount', keep: 'amount > 0' } }],
  };
  const settings = { extract: { partRows: PART_ROWS }, transform: { parallelParts: 3 }, duckdb: { threads: 1 } };
  return parsePipeline({ file: 'fleet.yaml', text: JSON.stringify({ name: 'fleet', heartbeatTimeoutSeconds: KILL_TEST_HEARTBEAT_SECONDS, lake: { bucket: LOCAL_STACK.lakeBucket }, ...settings, tables: [table] }) });
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_fleet CASCADE; CREATE SCHEMA test_fleet');
  await harness.source.query('CREATE TABLE test_fleet.orders (order_id bigint PRIMARY KEY, customer text, amount numeric(12,2), note text, updated_at timestamptz NOT NULL)');
  // Every 97th amount is not positive, so every part rejects some rows.
  await harness.source.query(`INSERT INTO test_fleet.orders SELECT i, ' c' || (i % 500) || ' ', CASE WHEN i % 97 = 0 THEN -i ELSE i * 0.25 END, repeat(md5(i::text), 8), timestamptz '2026-01-01' + i * interval '1 second' FROM generate_series(1, ${ROWS}) i`);
  await resetWarehouse(harness.warehouse, ['test_fleet_wh']);
  await forgetPipelineState(harness.warehouse, 'fleet');
});
afterAll(() => harness.close());

describe('one table transformed part by part over three worker processes', () => {
  it('spreads the parts over the workers, survives a worker killed mid-transform, and loads exactly the accepted source rows', async () => {
    const taskQueue = `fleet-${randomUUID()}`;
    const workflowId = `test-fleet-${randomUUID()}`;
    const child = `${workflowId}.orders`;
    const workers = [startWorker(taskQueue), startWorker(taskQueue), startWorker(taskQueue)];
    try {
      const handle = await harness.client.workflow.start(nightlyEtlWorkflow, { taskQueue, workflowId, args: [{ pipeline: pipeline(), runDate: '2026-04-01' }] });
      await kill(await workerInTransform(child, workers));
      const manifest = await handle.result();

      const expected = (await harness.source.query<{ accepted: number; rejected: number }>('SELECT count(*) FILTER (WHERE amount > 0)::int AS accepted, count(*) FILTER (WHERE NOT amount > 0)::int AS rejected FROM test_fleet.orders')).rows[0];
      expect(manifest.tables[0]).toMatchObject({ extractedRows: ROWS, loadedRows: expected?.accepted, rejectedRows: expected?.rejected, rejectedByRule: { positive_amount: expected?.rejected } });
      const fingerprint = (from: string, customer: string) => `SELECT count(*)::text AS n, md5(string_agg(order_id || '|' || ${customer} || '|' || amount || '|' || note || '|' || updated_at::text, ',' ORDER BY order_id)) AS h FROM ${from}`;
      const warehouse: unknown = (await harness.warehouse.query(fingerprint('test_fleet_wh.orders', 'customer'))).rows[0];
      expect(warehouse).toEqual((await harness.source.query(fingerprint('test_fleet.orders WHERE amount > 0', 'btrim(customer)'))).rows[0]);

      // One transform activity per raw part, run by at least two workers; the killed worker's part was retried.
      const attempts = await transformAttempts(child);
      expect(attempts).toHaveLength(ROWS / PART_ROWS);
      expect(new Set(attempts.map((attempt) => attempt.identity)).size).toBeGreaterThanOrEqual(2);
      expect(attempts.some((attempt) => attempt.attempt >= 2)).toBe(true);

      // Each part wrote its own rejected file; together they hold exactly the rejected source rows.
      const rejectedUri = manifest.tables[0]?.uris.rejected ?? '';
      const [, bucket = '', prefix = ''] = /^s3:\/\/([^/]+)\/(.+)$/.exec(rejectedUri) ?? [];
      const rejectedKeys = await listKeys({ s3: harness.deps.s3, bucket, prefix });
      expect(rejectedKeys).toHaveLength(ROWS / PART_ROWS);
      let rejectedRows = 0;
      for (const key of rejectedKeys) rejectedRows += (await readRejected(harness, `s3://${bucket}/${key}`)).byReason.positive_amount ?? 0;
      expect(rejectedRows).toBe(expected?.rejected);
    } finally {
      for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) await kill(worker);
    }
  }, KILL_TEST_TIMEOUT_MS);
});
