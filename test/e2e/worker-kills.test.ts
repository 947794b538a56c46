import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { nightlyEtlWorkflow } from '../../src/workflows';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';
import { KILL_TEST_HEARTBEAT_SECONDS, KILL_TEST_TIMEOUT_MS, killWorker, startWorkerProcess, waitForActivity } from '../support/worker-processes';

/**
 * A worker SIGKILLed while it plans, while it extracts and while it loads: each time the step is retried on
 * the next worker because its heartbeats stopped (the pipeline's heartbeatTimeoutSeconds, 8 s here instead of
 * the default 20 s, on every step the run and its table workflow schedule), not after a start-to-close timeout
 * (planning used to wait 2 minutes); the run completes and the warehouse equals the source. The time from
 * each kill to the retried attempt's start is printed (measured, never asserted). Each kill is a real worker
 * process (src/workers/main.ts) losing its host, so this is also the crash test of extract and load.
 */
const HEARTBEAT = temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT;
const ROWS = 150_000;
let harness: Harness;
const startWorker = (taskQueue: string) => startWorkerProcess({ harness, taskQueue, log: 'worker-kills-test.log' });
const kill = killWorker;

/** The retried attempt of an activity: when it started, why the attempt before it ended, and the heartbeat timeout it ran with. */
async function retriedAttempt(workflowId: string, activity: string): Promise<{ startedAt: number; timeoutType: unknown; heartbeatSeconds: number } | undefined> {
  const events = (await harness.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduledEvents = events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activity);
  const scheduled = new Set(scheduledEvents.map((event) => String(event.eventId)));
  const heartbeatSeconds = Number(scheduledEvents[0]?.activityTaskScheduledEventAttributes?.heartbeatTimeout?.seconds ?? 0);
  const started = events.find((event) => {
    const attributes = event.activityTaskStartedEventAttributes;
    return attributes && scheduled.has(String(attributes.scheduledEventId)) && (attributes.attempt ?? 1) >= 2;
  });
  if (!started?.activityTaskStartedEventAttributes) return undefined;
  const seconds = Number(started.eventTime?.seconds ?? 0);
  const nanos = Number(started.eventTime?.nanos ?? 0);
  return { startedAt: seconds * 1000 + nanos / 1e6, timeoutType: started.activityTaskStartedEventAttributes.lastFailure?.timeoutFailureInfo?.timeoutType, heartbeatSeconds };
}

function pipeline(): Pipeline {
  // No watermark: every run of this test reads the whole table.
  const table = { name: 'events', source: 'test_kills.events', target: 'test_kills_wh.events', primaryKey: ['event_id'], mode: 'merge' };
  return parsePipeline({ file: 'kills.yaml', text: JSON.stringify({ name: 'kills', heartbeatTimeoutSeconds: KILL_TEST_HEARTBEAT_SECONDS, lake: { bucket: LOCAL_STACK.lakeBucket }, extract: { partRows: 10_000 }, tables: [table] }) });
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_kills CASCADE; CREATE SCHEMA test_kills');
  await harness.source.query('CREATE TABLE test_kills.events (event_id bigint PRIMARY KEY, note text, amount numeric(12,2), updated_at timestamptz NOT NULL)');
  await harness.source.query(`INSERT INTO test_kills.events SELECT i, repeat(md5(i::text), 6), i * 0.5, timestamptz '2026-01-01' + i * interval '1 second' FROM generate_series(1, ${ROWS}) i`);
  await resetWarehouse(harness.warehouse, ['test_kills_wh']);
  await forgetPipelineState(harness.warehouse, 'kills');
});
afterAll(() => harness.close());

describe('a worker killed while planning, extracting and loading', () => {
  it('is replaced within a heartbeat timeout each time, and the run loads exactly the source', async () => {
    const taskQueue = `kills-${randomUUID()}`;
    const workflowId = `test-kills-${randomUUID()}`;
    const child = `${workflowId}.events`;
    // Planning waits on this lock, so the kill lands while planExtract runs.
    const locker = await harness.source.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE test_kills.events IN ACCESS EXCLUSIVE MODE');
    const handle = await harness.client.workflow.start(nightlyEtlWorkflow, { taskQueue, workflowId, args: [{ pipeline: pipeline(), runDate: '2026-04-01' }] });
    const kills: Record<string, { workflowId: string; activity: string; at: number }> = {};
    const workers: ChildProcess[] = [];
    try {
      workers.push(startWorker(taskQueue));
      await waitForActivity(harness, { workflowId, activity: 'planExtract', withProgress: false });
      kills.planning = { workflowId, activity: 'planExtract', at: await kill(workers[0] as ChildProcess) };
      await locker.query('COMMIT');
      workers.push(startWorker(taskQueue));
      await waitForActivity(harness, { workflowId: child, activity: 'extractTable', withProgress: true });
      kills.extract = { workflowId: child, activity: 'extractTable', at: await kill(workers[1] as ChildProcess) };
      workers.push(startWorker(taskQueue));
      await waitForActivity(harness, { workflowId: child, activity: 'loadIntoPostgres', withProgress: false });
      kills.load = { workflowId: child, activity: 'loadIntoPostgres', at: await kill(workers[2] as ChildProcess) };
      workers.push(startWorker(taskQueue));
      const manifest = await handle.result();
      expect(manifest.tables[0]).toMatchObject({ extractedRows: ROWS, loadedRows: ROWS });
      const fingerprint = "SELECT count(*)::text AS n, md5(string_agg(event_id || note || amount || updated_at::text, ',' ORDER BY event_id)) AS h FROM";
      expect((await harness.warehouse.query(`${fingerprint} test_kills_wh.events`)).rows[0]).toEqual((await harness.source.query(`${fingerprint} test_kills.events`)).rows[0]);
      const recovery: Record<string, string> = {};
      for (const [stage, killed] of Object.entries(kills)) {
        const retried = await retriedAttempt(killed.workflowId, killed.activity);
        expect([stage, retried?.timeoutType]).toEqual([stage, expect.anything()]);
        expect([stage, retried?.timeoutType === HEARTBEAT || String(retried?.timeoutType) === 'TIMEOUT_TYPE_HEARTBEAT']).toEqual([stage, true]);
        expect([stage, retried?.heartbeatSeconds]).toEqual([stage, KILL_TEST_HEARTBEAT_SECONDS]);
        recovery[stage] = `${(((retried?.startedAt ?? 0) - killed.at) / 1000).toFixed(1)} s`;
      }
      console.log(`recovery after SIGKILL (kill → retried attempt started): ${JSON.stringify(recovery)}`);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
      for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) await kill(worker);
    }
  }, KILL_TEST_TIMEOUT_MS);
});
