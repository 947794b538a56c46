import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { loadPipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { nightlyEtlWorkflow } from '../../src/workflows';
import type { AuditTrail } from '../../src/client/audit-trail';
import { etl, waitFor } from '../support/commands';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;
let harness: Harness;
let dir: string;

/** Writes a pipeline file (and its SQL file) next to each other and loads it as `etl run` would. */
async function pipelineWith(name: string, steps: unknown[]): Promise<Pipeline> {
  const tables = [
    { name: 'orders', source: 'test_steps.orders', target: 'test_steps_wh.orders', primaryKey: ['order_id'], mode: 'full-refresh' },
    { name: 'lines', source: 'test_steps.lines', target: 'test_steps_wh.lines', primaryKey: ['line_id'], mode: 'full-refresh' },
  ];
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, JSON.stringify({ name, lake: { bucket: LOCAL_STACK.lakeBucket }, maxParallelTables: 2, tables, steps }));
  return loadPipeline({ file });
}

/** The messages of a failure and of every cause under it. */
function messagesOf(error: unknown): string[] {
  const messages: string[] = [];
  for (let at = error as { message?: string; cause?: unknown } | undefined; at; at = at.cause as typeof at) messages.push(at.message ?? '');
  return messages;
}

/** Backends of the warehouse whose current statement calls `procedure` (this test's own query excluded). */
async function backendsRunning(procedure: string, state?: 'active'): Promise<number> {
  const result = await harness.warehouse.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%' || $1 || '%' AND ($2::text IS NULL OR state = $2)",
    [procedure, state ?? null],
  );
  return Number(result.rows[0]?.n);
}

beforeAll(async () => {
  harness = await createHarness();
  dir = await mkdtemp(join(tmpdir(), 'etl-steps-'));
  await mkdir(join(dir, 'sql'));
  // A source step's own SQL file: it writes three audit rows at the source, so the manifest must record 3.
  await writeFile(join(dir, 'sql', 'prepare.sql'), "INSERT INTO test_steps.step_log (note) SELECT 'prepared ' || i FROM generate_series(1, 3) i\n");
  await harness.source.query('DROP SCHEMA IF EXISTS test_steps CASCADE; CREATE SCHEMA test_steps');
  await harness.source.query('CREATE TABLE test_steps.orders (order_id int PRIMARY KEY, region text NOT NULL, amount numeric(10,2) NOT NULL, ordered_on date NOT NULL)');
  await harness.source.query('CREATE TABLE test_steps.lines (line_id int PRIMARY KEY, order_id int NOT NULL, qty int NOT NULL)');
  await harness.source.query('CREATE TABLE test_steps.step_log (id serial PRIMARY KEY, note text NOT NULL)');
  await harness.source.query(
    "INSERT INTO test_steps.orders SELECT i, (ARRAY['north', 'south', 'east', NULL])[1 + i % 3], round((i * 7.31) % 500, 2), date '2025-12-20' + (i % 30) FROM generate_series(1, 240) i",
  );
  await harness.source.query('INSERT INTO test_steps.lines SELECT i, 1 + i % 240, 1 + i % 5 FROM generate_series(1, 700) i');
  await resetWarehouse(harness.warehouse, ['test_steps_wh']);
  await harness.warehouse.query('CREATE SCHEMA test_steps_wh');
  await harness.warehouse.query('CREATE TABLE test_steps_wh.region_summary (region text PRIMARY KEY, orders bigint NOT NULL, amount numeric NOT NULL)');
  await harness.warehouse.query('CREATE TABLE test_steps_wh.between_log (orders bigint, lines_present boolean)');
  // The stored-procedure ETL of seed 000: a summary rebuilt in the warehouse from a loaded table.
  await harness.warehouse.query(`
    CREATE PROCEDURE test_steps_wh.refresh_region_summary(since date) LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM test_steps_wh.region_summary;
      INSERT INTO test_steps_wh.region_summary
        SELECT region, count(*), sum(amount) FROM test_steps_wh.orders WHERE ordered_on >= since GROUP BY region;
    END $$`);
  await harness.warehouse.query(`
    CREATE PROCEDURE test_steps_wh.note_between() LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO test_steps_wh.between_log SELECT (SELECT count(*) FROM test_steps_wh.orders), to_regclass('test_steps_wh.lines') IS NOT NULL;
    END $$`);
  await harness.warehouse.query(`
    CREATE PROCEDURE test_steps_wh.fail_refresh() LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'boom: the summary refuses to refresh';
    END $$`);
  await harness.warehouse.query(`
    CREATE PROCEDURE test_steps_wh.slow_refresh() LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_sleep(60);
    END $$`);
});
afterAll(() => harness.close());

describe('database steps', () => {
  it('runs a source SQL file before everything, a procedure between two tables and one after all; the summary equals the source', async () => {
    const pipeline = await pipelineWith('steps-ok', [
      { name: 'refresh_summary', on: 'warehouse', call: "test_steps_wh.refresh_region_summary('2026-01-01')", timeoutSeconds: 120 },
      { name: 'prepare', before: 'all', on: 'source', sql: 'sql/prepare.sql' },
      { name: 'between', after: ['orders'], before: ['lines'], call: 'test_steps_wh.note_between()' },
    ]);
    const manifest = await harness.run(pipeline);

    // The summary the procedure wrote equals the same aggregate, written here, over the source rows.
    const expected = await harness.source.query("SELECT region, count(*)::bigint::text AS orders, sum(amount)::text AS amount FROM test_steps.orders WHERE ordered_on >= date '2026-01-01' GROUP BY region ORDER BY region");
    const actual = await harness.warehouse.query('SELECT region, orders::text AS orders, amount::text AS amount FROM test_steps_wh.region_summary ORDER BY region');
    expect(expected.rows.length).toBeGreaterThan(1);
    expect(actual.rows).toEqual(expected.rows);
    // The step between ran once orders had loaded and before lines existed.
    const between = await harness.warehouse.query('SELECT orders::int AS orders, lines_present FROM test_steps_wh.between_log');
    expect(between.rows).toEqual([{ orders: 240, lines_present: false }]);
    expect((await harness.source.query("SELECT count(*)::int AS n FROM test_steps.step_log WHERE note LIKE 'prepared %'")).rows).toEqual([{ n: 3 }]);
    // The manifest lists every step in the file's order: rows a statement reported (a CALL reports none).
    expect(manifest.steps?.map(({ name, on, rows }) => ({ name, on, rows }))).toEqual([
      { name: 'refresh_summary', on: 'warehouse', rows: null },
      { name: 'prepare', on: 'source', rows: 3 },
      { name: 'between', on: 'warehouse', rows: null },
    ]);
    for (const step of manifest.steps ?? []) expect(step.seconds).toBeGreaterThanOrEqual(0);
    expect(manifest.totals.loadedRows).toBe(240 + 700);
    // The Web UI names each step's activity: step, database, what it runs and the pipeline.
    const history = await harness.client.workflow.getHandle(manifest.runId).fetchHistory();
    const summaries = (history.events ?? [])
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'runPostgresStep')
      .map((event) => defaultPayloadConverter.fromPayload<string>(event.userMetadata?.summary as temporal.api.common.v1.IPayload));
    expect(summaries).toEqual([
      'database step prepare on source: sql (steps-ok)',
      'database step between on warehouse: call test_steps_wh.note_between(…) (steps-ok)',
      'database step refresh_summary on warehouse: call test_steps_wh.refresh_region_summary(…) (steps-ok)',
    ]);
  });

  it('fails the run with the procedure\'s message, naming pipeline and step, without retrying it', async () => {
    const pipeline = await pipelineWith('steps-fail', [{ name: 'refresh_summary', call: 'test_steps_wh.fail_refresh()' }]);
    const workflowId = `test-steps-fail-${randomUUID()}`;
    const worker = await harness.worker();
    const failure = await worker.runUntil(harness.client.workflow.execute(nightlyEtlWorkflow, { taskQueue: harness.settings.temporal.taskQueue, workflowId, args: [{ pipeline }] })).then(
      () => undefined,
      (error: unknown) => error,
    );
    const messages = messagesOf(failure);
    expect(messages).toContainEqual(expect.stringMatching(/^pipeline steps-fail, step refresh_summary \(on warehouse, call test_steps_wh\.fail_refresh\(…\)\) failed: Postgres: boom: the summary refuses to refresh \(sqlstate P0001\)/));
    const trail = JSON.parse((await etl(harness.settings, 'history', workflowId, '--json')).stdout) as AuditTrail;
    expect(trail.activities.filter((activity) => activity.activity === 'runPostgresStep').map((activity) => [activity.outcome, activity.attempts])).toEqual([['failed', 1]]);
  });

  it('stops a step at its timeoutSeconds (statement_timeout) and fails the run, naming the timeout', async () => {
    const pipeline = await pipelineWith('steps-timeout', [{ name: 'slow', before: 'all', call: 'test_steps_wh.slow_refresh()', timeoutSeconds: 1 }]);
    const failure = await harness.run(pipeline).then(() => undefined, (error: unknown) => error);
    expect(messagesOf(failure)).toContainEqual(expect.stringMatching(/^pipeline steps-timeout, step slow .*: Postgres cancelled the statement after its timeout of 1 s .*raise timeoutSeconds/));
    expect(await backendsRunning('slow_refresh', 'active')).toBe(0);
  });

  it('cancelling the run cancels a long step\'s statement: no backend is left running it', async () => {
    const pipeline = await pipelineWith('steps-cancel', [{ name: 'slow', after: ['orders'], call: 'test_steps_wh.slow_refresh()', timeoutSeconds: 300 }]);
    const workflowId = `test-steps-cancel-${randomUUID()}`;
    const worker = await harness.worker();
    await worker.runUntil(async () => {
      await harness.client.workflow.start(nightlyEtlWorkflow, { taskQueue: harness.settings.temporal.taskQueue, workflowId, args: [{ pipeline }] });
      await waitFor('the slow step to run', async () => {
        const pending = (await harness.client.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? [];
        return pending.some((activity) => activity.activityType?.name === 'runPostgresStep' && activity.state === STARTED) ? true : undefined;
      });
      await waitFor('its statement in pg_stat_activity', async () => ((await backendsRunning('slow_refresh', 'active')) === 1 ? true : undefined));
      const cancelled = await etl(harness.settings, 'cancel', workflowId);
      expect(cancelled.stdout).toMatch(/: cancelled$/m);
    });
    // The activity reported its cancellation only after the statement stopped; its connection is closed too.
    expect(await backendsRunning('slow_refresh', 'active')).toBe(0);
    await waitFor('the step\'s backend to exit', async () => ((await backendsRunning('slow_refresh')) === 0 ? true : undefined));
    const description = await harness.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('CANCELLED');
    const trail = JSON.parse((await etl(harness.settings, 'history', workflowId, '--json')).stdout) as AuditTrail;
    expect(trail.activities.find((activity) => activity.activity === 'runPostgresStep')?.outcome).toBe('cancelled');
  });
});
