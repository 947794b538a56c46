import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { LOAD_LOCK } from '../../src/connectors/targets/postgres/lock';
import { reprocessPipelineWorkflow } from '../../src/workflows';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { KILL_TEST_HEARTBEAT_SECONDS, KILL_TEST_TIMEOUT_MS, killWorker, startWorkerProcess, waitForActivity } from '../support/worker-processes';

/**
 * A worker SIGKILLed while a reprocess loads: the load is retried on another worker once its heartbeats stop
 * (the pipeline's heartbeatTimeoutSeconds, 8 s here),
 * the reprocess completes, the warehouse is what the new rules give (rows they reject removed), with no
 * duplicate and one ledger entry, and the source is never read (it is renamed away for the whole reprocess).
 */
const HEARTBEAT = temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT;
const ROWS = 20_000;
const SOURCE = 'test_rpk.events';
let harness: Harness;

function pipelineOf(limit: number): Pipeline {
  const table = { name: 'events', source: SOURCE, target: 'test_rpk_wh.events', primaryKey: ['event_id'], mode: 'incremental', watermark: 'updated_at', transform: [{ filter: { rule: 'too_large', keep: `amount < ${limit}` } }] };
  return parsePipeline({ file: 'rpk.yaml', text: JSON.stringify({ name: `rpk-${randomUUID().slice(0, 8)}`, heartbeatTimeoutSeconds: KILL_TEST_HEARTBEAT_SECONDS, lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [table] }) });
}

/** The retried attempt of an activity in a workflow's history, and why the attempt before it ended. */
async function retriedAttempt(workflowId: string, activity: string): Promise<unknown> {
  const events = (await harness.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = new Set(events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activity).map((event) => String(event.eventId)));
  const started = events.find((event) => {
    const attributes = event.activityTaskStartedEventAttributes;
    return attributes && scheduled.has(String(attributes.scheduledEventId)) && (attributes.attempt ?? 1) >= 2;
  });
  return started?.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo?.timeoutType;
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_rpk CASCADE; CREATE SCHEMA test_rpk');
  await harness.source.query(`CREATE TABLE ${SOURCE} (event_id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, note text, updated_at timestamptz NOT NULL)`);
  await harness.source.query(`INSERT INTO ${SOURCE} SELECT i, (i * 7919) % 1000 + 0.25, md5(i::text), timestamptz '2026-07-01' + i * interval '1 second' FROM generate_series(1, ${ROWS}) i`);
  await resetWarehouse(harness.warehouse, ['test_rpk_wh']);
});
afterAll(() => harness.close());

describe('a worker killed while a reprocess loads', () => {
  it('is replaced after a heartbeat timeout; the reprocess completes from the lake with the new rules, no duplicates, the source unread', async () => {
    const v1 = pipelineOf(900);
    const v2 = { ...pipelineOf(500), name: v1.name };
    await harness.run(v1, '2026-07-01');
    const taskQueue = `rpk-${randomUUID()}`;
    const workflowId = `test-rpk-${randomUUID()}`;
    const day = `${workflowId}.2026-07-01`;
    // The load waits on the warehouse's load lock, held here, so the kill lands while loadIntoPostgres runs.
    const locker = await harness.warehouse.connect();
    await locker.query('SELECT pg_advisory_lock($1)', [LOAD_LOCK]);
    await harness.source.query('ALTER TABLE test_rpk.events RENAME TO events_away');
    const workers: ChildProcess[] = [];
    try {
      const handle = await harness.client.workflow.start(reprocessPipelineWorkflow, { taskQueue, workflowId, args: [{ pipeline: v2, from: '2026-07-01', to: '2026-07-01' }] });
      workers.push(startWorkerProcess({ harness, taskQueue, log: 'reprocess-kill-test.log' }));
      await waitForActivity(harness, { workflowId: day, activity: 'loadIntoPostgres', withProgress: false });
      await killWorker(workers[0] as ChildProcess);
      await locker.query('SELECT pg_advisory_unlock($1)', [LOAD_LOCK]);
      workers.push(startWorkerProcess({ harness, taskQueue, log: 'reprocess-kill-test.log' }));
      const summary = await handle.result();
      const timeout = await retriedAttempt(day, 'loadIntoPostgres');
      expect(timeout === HEARTBEAT || String(timeout) === 'TIMEOUT_TYPE_HEARTBEAT').toBe(true);

      await harness.source.query('ALTER TABLE test_rpk.events_away RENAME TO events');
      const fingerprint = (from: string) => `SELECT count(*)::text AS n, count(DISTINCT event_id)::text AS keys, md5(string_agg(event_id || '|' || amount || '|' || note, ',' ORDER BY event_id)) AS h FROM ${from}`;
      const expected = (await harness.source.query<{ n: string; keys: string; h: string }>(fingerprint(`${SOURCE} WHERE amount < 500`))).rows[0];
      expect((await harness.warehouse.query(fingerprint('test_rpk_wh.events'))).rows[0]).toEqual(expected);
      const removed = await harness.source.query<{ n: string }>(`SELECT count(*) AS n FROM ${SOURCE} WHERE amount >= 500 AND amount < 900`);
      expect(summary.days[0]?.tables[0]?.withdrawn?.rows).toBe(Number(removed.rows[0]?.n));
      const ledger = await harness.warehouse.query<{ row_count: string }>('SELECT row_count FROM etl_state.loads WHERE pipeline = $1 AND run_id = $2', [v2.name, day]);
      expect(ledger.rows).toEqual([{ row_count: expected?.n }]);
    } finally {
      await locker.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      locker.release();
      await harness.source.query('ALTER TABLE IF EXISTS test_rpk.events_away RENAME TO events').catch(() => undefined);
      for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) await killWorker(worker);
    }
  }, KILL_TEST_TIMEOUT_MS);
});
