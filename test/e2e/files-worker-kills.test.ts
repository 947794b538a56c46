import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { nightlyEtlWorkflow } from '../../src/workflows';
import { openDuckdb } from '../support/duckdb';
import { deleteUnder, gzip, listKeys, putObject, returnRows, returnsCsv } from '../support/files-landing';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';
import { KILL_TEST_HEARTBEAT_SECONDS, KILL_TEST_TIMEOUT_MS, killWorker, startWorkerProcess, waitForActivity } from '../support/worker-processes';

/**
 * A worker SIGKILLed while a files table extracts (after some objects were read) and again while it loads:
 * each step is retried on the next worker, every object is read and bookmarked exactly once, the bad one is
 * quarantined once, and the warehouse equals what DuckDB (the test's own, unsealed) computes over the files.
 */
const BUCKET = LOCAL_STACK.lakeBucket;
const ROOT = 'test-files-kills/';
const LANDING = `${ROOT}landing/returns/`;
const FILES = 24;
const ROWS_PER_FILE = 25_000;
let harness: Harness;
const startWorker = (taskQueue: string) => startWorkerProcess({ harness, taskQueue, log: 'files-worker-kills-test.log' });
const kill = killWorker;


/** The highest attempt of an activity in a workflow's history: 2 or more when a kill made Temporal retry it. */
async function lastAttempt(workflowId: string, activity: string): Promise<number> {
  const events = (await harness.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduled = new Set(events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === activity).map((event) => String(event.eventId)));
  const attempts = events.flatMap((event) => {
    const started = event.activityTaskStartedEventAttributes;
    return started && scheduled.has(String(started.scheduledEventId)) ? [started.attempt ?? 1] : [];
  });
  return Math.max(0, ...attempts);
}

function pipeline(): Pipeline {
  const table = {
    name: 'returns',
    kind: 'files',
    files: { prefix: LANDING, glob: '*.csv*', format: 'csv' },
    columns: { return_id: 'BIGINT', sale_id: 'BIGINT', amount: 'DECIMAL(12,2)', returned_at: 'TIMESTAMP', reason: 'VARCHAR' },
    target: 'test_files_kills_wh.returns',
    primaryKey: ['return_id'],
  };
  return parsePipeline({ file: 'kills.yaml', text: JSON.stringify({ name: 'files-kills', heartbeatTimeoutSeconds: KILL_TEST_HEARTBEAT_SECONDS, lake: { bucket: BUCKET, prefix: ROOT }, tables: [table] }) });
}

const FINGERPRINT = "count(*)::text AS n, sum(amount)::text AS total, md5(string_agg(return_id::text || ':' || sale_id::text || ':' || amount::text || ':' || reason, ',' ORDER BY return_id)) AS h";
let expected: Record<string, unknown> = {};

beforeAll(async () => {
  harness = await createHarness();
  await deleteUnder(harness.deps.s3, BUCKET, ROOT);
  await resetWarehouse(harness.warehouse, ['test_files_kills_wh']);
  await forgetPipelineState(harness.warehouse, 'files-kills');
  const dir = await mkdtemp(join(tmpdir(), 'files-kills-'));
  try {
    const paths: string[] = [];
    for (let index = 0; index < FILES; index += 1) {
      const text = returnsCsv(returnRows(index * ROWS_PER_FILE + 1, (index + 1) * ROWS_PER_FILE));
      const name = `part-${String(index).padStart(3, '0')}.csv${index % 2 === 0 ? '.gz' : ''}`;
      await putObject(harness.deps.s3, BUCKET, `${LANDING}${name}`, index % 2 === 0 ? gzip(text) : text);
      paths.push(join(dir, `${index}.csv`));
      await writeFile(join(dir, `${index}.csv`), text);
    }
    await putObject(harness.deps.s3, BUCKET, `${LANDING}part-000-broken.csv.gz`, 'not gzip');
    const duckdb = await openDuckdb();
    try {
      const files = `read_csv([${paths.map((path) => `'${path}'`).join(', ')}], header = true, types = {'amount': 'DECIMAL(12,2)'})`;
      const reader = await duckdb.runAndReadAll(`SELECT ${FINGERPRINT} FROM ${files}`);
      const [row] = reader.getRowObjectsJson();
      expected = { ...row };
    } finally {
      duckdb.closeAll();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
afterAll(() => harness.close());

describe('a worker killed while a files table extracts and loads', () => {
  it('loses nothing and loads nothing twice', async () => {
    const taskQueue = `files-kills-${randomUUID()}`;
    const workflowId = `test-files-kills-${randomUUID()}`;
    const child = `${workflowId}.returns`;
    const handle = await harness.client.workflow.start(nightlyEtlWorkflow, { taskQueue, workflowId, args: [{ pipeline: pipeline(), runDate: '2026-04-01' }] });
    const workers: ChildProcess[] = [];
    try {
      workers.push(startWorker(taskQueue));
      await waitForActivity(harness, { workflowId: child, activity: 'extractTable', withProgress: true });
      await kill(workers[0] as ChildProcess);
      workers.push(startWorker(taskQueue));
      await waitForActivity(harness, { workflowId: child, activity: 'loadIntoPostgres', withProgress: false });
      await kill(workers[1] as ChildProcess);
      workers.push(startWorker(taskQueue));
      const manifest = await handle.result();
      expect([await lastAttempt(child, 'extractTable'), await lastAttempt(child, 'loadIntoPostgres')]).toEqual([2, 2]);
      const rows = FILES * ROWS_PER_FILE;
      expect(manifest.tables[0]).toMatchObject({ extractedRows: rows, loadedRows: rows, files: { read: FILES, quarantined: 1, bookmarked: FILES } });
      expect((await harness.warehouse.query(`SELECT ${FINGERPRINT} FROM test_files_kills_wh.returns`)).rows[0]).toEqual(expected);
      // Exactly once: one bookmark per object, all from this run; one committed load; the bad file quarantined once.
      const marks = await harness.warehouse.query<{ n: string; runs: string; keys: string }>("SELECT count(*)::text AS n, count(DISTINCT run_id)::text AS runs, count(DISTINCT object_key)::text AS keys FROM etl_state.file_bookmarks WHERE pipeline = 'files-kills'");
      expect(marks.rows[0]).toEqual({ n: String(FILES), runs: '1', keys: String(FILES) });
      const loads = await harness.warehouse.query<{ n: string }>("SELECT count(*)::text AS n FROM etl_state.loads WHERE pipeline = 'files-kills'");
      expect(loads.rows[0]?.n).toBe('1');
      expect(await listKeys(harness.deps.s3, BUCKET, `${ROOT}quarantine/`)).toEqual([`${ROOT}quarantine/returns/part-000-broken.csv.gz`, `${ROOT}quarantine/returns/part-000-broken.csv.gz.reason.json`]);
      // A run after it reads nothing.
      const again = await harness.client.workflow.execute(nightlyEtlWorkflow, { taskQueue, workflowId: `${workflowId}-again`, args: [{ pipeline: pipeline(), runDate: '2026-04-02' }] });
      expect(again.tables[0]).toMatchObject({ extractedRows: 0, files: { read: 0 } });
    } finally {
      for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) await kill(worker);
    }
  }, KILL_TEST_TIMEOUT_MS);
});
