import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { postgresServer, stopPostgres } from '../../src/dev/postgres-server';
import { upStack } from '../../src/dev/stack';
import { removeDeadSpools, withSpool } from '../../src/runtime/spool';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';

/**
 * Postgres drops the worker's connections (what a restart or failover does to them: 57P01 "terminating
 * connection due to administrator command") while a run extracts and while it loads. The worker is this test
 * process, so an unhandled pool 'error' event would end the test run itself; the run must complete and the
 * warehouse equal the source.
 */
let harness: Harness;
/** The test's own connections: not the worker's pool, so a kill aimed at the worker never ends the watcher's query. */
let monitor: Pool;
const ROWS = 120_000;

function pipeline(): Pipeline {
  // No watermark: every run reads the whole table, so runs of this file (and earlier ones) all move ROWS rows.
  const table = { name: 'events', source: 'test_drops.events', target: 'test_drops_wh.events', primaryKey: ['event_id'], mode: 'merge' };
  return parsePipeline({ file: 'drops.yaml', text: JSON.stringify({ name: 'drops', lake: { bucket: LOCAL_STACK.lakeBucket }, extract: { partRows: 10_000 }, tables: [table] }) });
}

/** Terminates the worker's connections to `database` whenever one runs a statement matching `query`, `times` times. */
function dropConnections(input: { database: string; query: RegExp; times: number }): { done: Promise<number>; stop(): void } {
  let stopped = false;
  const done = (async () => {
    let dropped = 0;
    while (!stopped && dropped < input.times) {
      const active = await monitor.query<{ pid: number; query: string }>(
        "SELECT pid, query FROM pg_stat_activity WHERE application_name = 'temporal-etl' AND datname = $1 AND state = 'active' AND pid <> pg_backend_pid()",
        [input.database],
      );
      if (active.rows.some((row) => input.query.test(row.query))) {
        // Every connection of the worker to that database, idle ones too (those raised the unhandled error).
        const killed = await monitor.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'temporal-etl' AND datname = $1 AND pid <> pg_backend_pid()", [input.database]);
        dropped += killed.rowCount && killed.rowCount > 0 ? 1 : 0;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return dropped;
  })();
  return { done, stop: () => (stopped = true) };
}

beforeAll(async () => {
  harness = await createHarness();
  monitor = new Pool({ ...harness.source.options, max: 2, application_name: 'temporal-etl-test-monitor' });
  monitor.on('error', () => undefined); // the Postgres restart below ends its idle connections too
  await harness.source.query('DROP SCHEMA IF EXISTS test_drops CASCADE; CREATE SCHEMA test_drops');
  await harness.source.query('CREATE TABLE test_drops.events (event_id bigint PRIMARY KEY, note text, amount numeric(12,2), updated_at timestamptz NOT NULL)');
  await harness.source.query(`INSERT INTO test_drops.events SELECT i, repeat(md5(i::text), 4), i * 0.25, timestamptz '2026-01-01' + i * interval '1 second' FROM generate_series(1, ${ROWS}) i`);
  await resetWarehouse(harness.warehouse, ['test_drops_wh']);
  await forgetPipelineState(harness.warehouse, 'drops');
});
afterAll(async () => {
  await monitor.end();
  await harness.close();
});

describe('dropped database connections', () => {
  it('neither kill the worker nor change what is loaded, during extract and during load', async () => {
    const { database: sourceDb } = harness.source.options as { database?: string };
    const extractDrops = dropConnections({ database: String(sourceDb ?? 'source'), query: /^COPY \(SELECT/, times: 2 });
    const loadDrops = dropConnections({ database: 'warehouse', query: /^COPY .* FROM STDIN/i, times: 1 });
    const manifest = await harness.run(pipeline()).finally(() => {
      extractDrops.stop();
      loadDrops.stop();
    });
    expect(await extractDrops.done).toBeGreaterThan(0);
    expect(await loadDrops.done).toBe(1);
    expect(manifest.tables[0]).toMatchObject({ extractedRows: ROWS, loadedRows: ROWS });
    const fingerprint = 'SELECT count(*)::text AS n, md5(string_agg(event_id || note || amount || updated_at::text, \',\' ORDER BY event_id)) AS h FROM';
    const source = await harness.source.query(`${fingerprint} test_drops.events`);
    const loaded = await harness.warehouse.query(`${fingerprint} test_drops_wh.events`);
    expect(loaded.rows[0]).toEqual(source.rows[0]);
  });
});

/** Restarts the stack's Postgres (fast shutdown, then start) once a statement matching `query` runs on `database`. */
async function restartPostgresDuring(input: { database: string; query: RegExp; stopped: () => boolean }): Promise<boolean> {
  while (!input.stopped()) {
    const active = await monitor.query<{ query: string }>(
      "SELECT query FROM pg_stat_activity WHERE application_name = 'temporal-etl' AND datname = $1 AND state = 'active'",
      [input.database],
    ).catch(() => ({ rows: [] }));
    if (active.rows.some((row) => input.query.test(row.query))) {
      expect(stopPostgres(postgresServer({ stateDir: harness.settings.stateDir }))).toBe(true);
      expect(await upStack({ settings: harness.settings })).toEqual(['postgres']);
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

const fingerprintOf = async () => {
  const fingerprint = "SELECT count(*)::text AS n, md5(string_agg(event_id || note || amount || updated_at::text, ',' ORDER BY event_id)) AS h FROM";
  type Row = { n: string; h: string };
  return { source: (await harness.source.query<Row>(`${fingerprint} test_drops.events`)).rows[0], loaded: (await harness.warehouse.query<Row>(`${fingerprint} test_drops_wh.events`)).rows[0] };
};

describe('a Postgres restart', () => {
  it.each([
    ['extract', 'source', /^COPY \(SELECT/],
    ['load', 'warehouse', /^COPY .* FROM STDIN/i],
  ])('during %s: the worker lives on, the run completes, the warehouse equals the source', async (_stage, database, query) => {
    expect(harness.settings.postgres.embedded).toBe(true);
    await resetWarehouse(harness.warehouse, ['test_drops_wh']);
    let finished = false;
    const restarted = restartPostgresDuring({ database, query, stopped: () => finished });
    const manifest = await harness.run(pipeline(), '2026-05-01').finally(() => (finished = true));
    expect(await restarted).toBe(true);
    expect(manifest.tables[0]).toMatchObject({ extractedRows: ROWS, loadedRows: ROWS });
    const { source, loaded } = await fingerprintOf();
    expect(loaded).toEqual(source);
  });
});

describe('spool folders of dead workers', () => {
  it('are removed when a worker starts, and a live worker’s are kept', async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), 'etl-spool-'));
    try {
      const child = spawn(process.execPath, ['-e', '']);
      const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid ?? 0)));
      const liveChild = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
      await mkdir(join(spoolDir, `extract-sales-p${deadPid}s1a2b3c-1764590000000`));
      await mkdir(join(spoolDir, `transform-sales-${deadPid}-1764590000000`));
      await mkdir(join(spoolDir, `extract-sales-p${process.pid}sold1-1764590000000`));
      await mkdir(join(spoolDir, `extract-sales-p${liveChild.pid}s1a2b3c-1764590000000`));
      await mkdir(join(spoolDir, 'not-a-spool'));
      const kept = await withSpool({ spoolDir, name: 'load-sales' }, async () => {
        const removed = await removeDeadSpools({ spoolDir });
        expect(removed.sort()).toEqual([`extract-sales-p${deadPid}s1a2b3c-1764590000000`, `extract-sales-p${process.pid}sold1-1764590000000`, `transform-sales-${deadPid}-1764590000000`].sort());
        return readdir(spoolDir);
      });
      liveChild.kill('SIGKILL');
      expect(kept).toHaveLength(3);
      expect(kept).toEqual(expect.arrayContaining([`extract-sales-p${liveChild.pid}s1a2b3c-1764590000000`, expect.stringMatching(/^load-sales-p\d+s[0-9a-z]+-\d+$/), 'not-a-spool']));
    } finally {
      await rm(spoolDir, { recursive: true, force: true });
    }
  });
});
