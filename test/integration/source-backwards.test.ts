import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { describeError } from '../../src/client/errors';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { etl, waitFor } from '../support/commands';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;
let dir: string;
let file: string;

const spec = {
  name: 'backwards',
  lake: { bucket: LOCAL_STACK.lakeBucket },
  tables: [{ name: 'events', source: 'test_back.events', target: 'test_back_wh.events', primaryKey: ['event_id'], mode: 'incremental', watermark: 'updated_at' }],
};
const pipeline: Pipeline = parsePipeline({ file: 'backwards.yaml', text: JSON.stringify(spec) });

/** Fills the source with keys 1..rows, labelled `label`, updated from `start` one minute apart. */
async function seed(input: { rows: number; label: string; start: string; recreate: boolean }): Promise<void> {
  if (input.recreate) {
    await harness.source.query('DROP TABLE IF EXISTS test_back.events');
    await harness.source.query('CREATE TABLE test_back.events (event_id bigint PRIMARY KEY, v text NOT NULL, updated_at timestamptz NOT NULL)');
  } else await harness.source.query('TRUNCATE test_back.events');
  await harness.source.query(`INSERT INTO test_back.events SELECT i, $1 || i, $2::timestamptz + i * interval '1 minute' FROM generate_series(1, ${input.rows}) i`, [input.label, input.start]);
  await harness.source.query('ANALYZE test_back.events');
}

/** Every row as text, in key order: the same query on both sides, independent of the project's builders. */
async function rowsOf(pool: typeof harness.source, table: string): Promise<string[]> {
  const result = await pool.query<{ r: string }>(`SELECT event_id || '|' || v || '|' || (updated_at AT TIME ZONE 'UTC')::text AS r FROM ${table} ORDER BY event_id`);
  return result.rows.map((row) => row.r);
}

async function savedWatermark(): Promise<string | undefined> {
  const result = await harness.warehouse.query<{ watermark: string }>("SELECT watermark FROM etl_state.watermarks WHERE pipeline = 'backwards' AND table_name = 'events'");
  return result.rows[0]?.watermark;
}

async function failureOf(run: Promise<unknown>): Promise<string> {
  const error = await run.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return describeError(error);
}

beforeAll(async () => {
  harness = await createHarness();
  dir = await mkdtemp(join(tmpdir(), 'etl-backwards-'));
  file = join(dir, 'backwards.yaml');
  await writeFile(file, JSON.stringify(spec));
  await harness.source.query('DROP SCHEMA IF EXISTS test_back CASCADE; CREATE SCHEMA test_back');
  await resetWarehouse(harness.warehouse, ['test_back_wh']);
  await harness.warehouse.query("DELETE FROM etl_state.watermarks WHERE pipeline = 'backwards'").catch(() => undefined);
  for (const table of ['source_marks', 'resets']) await harness.warehouse.query(`DELETE FROM etl_state.${table} WHERE pipeline = 'backwards'`).catch(() => undefined);
});
afterAll(async () => {
  await harness.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a source that went backwards', () => {
  it('stops the run when the source was re-created with older rows; etl reset then a run makes the warehouse equal the source', async () => {
    await seed({ rows: 2000, label: 'first-', start: '2026-03-01 00:00:00+00', recreate: true });
    await harness.run(pipeline);
    const loaded = await rowsOf(harness.warehouse, 'test_back_wh.events');
    expect(loaded).toEqual(await rowsOf(harness.source, 'test_back.events'));
    const watermark = await savedWatermark();

    await seed({ rows: 2000, label: 'second-', start: '2026-01-01 00:00:00+00', recreate: true });
    const message = await failureOf(harness.run(pipeline));
    expect(message).toContain('table events: source test_back.events went backwards: it was dropped and re-created since the last load');
    expect(message).toContain('etl -- reset <pipeline.yaml> --tables events');
    expect(await rowsOf(harness.warehouse, 'test_back_wh.events')).toEqual(loaded);
    expect(await savedWatermark()).toBe(watermark);

    const worker = await harness.startWorker();
    try {
      const refused = await etl(harness.settings, 'reset', file, '--tables', 'events');
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('pass --yes to confirm');
      expect(await savedWatermark()).toBe(watermark);
      const reset = await etl(harness.settings, 'reset', file, '--tables', 'events', '--reason', 'source rebuilt from backup', '--yes');
      expect(reset.stderr).toBe('');
      expect(reset.stdout).toContain('reset events of pipeline backwards');
    } finally {
      await worker.stop();
    }
    expect(await savedWatermark()).toBeUndefined();
    const audit = await harness.warehouse.query("SELECT table_name, target_emptied, reason FROM etl_state.resets WHERE pipeline = 'backwards'");
    expect(audit.rows).toEqual([{ table_name: 'events', target_emptied: false, reason: 'source rebuilt from backup' }]);

    await harness.run(pipeline);
    expect(await rowsOf(harness.warehouse, 'test_back_wh.events')).toEqual(await rowsOf(harness.source, 'test_back.events'));
  });

  it('stops the run when the newest watermark fell below the saved one in the same table', async () => {
    await seed({ rows: 2000, label: 'third-', start: '2025-06-01 00:00:00+00', recreate: false });
    const message = await failureOf(harness.run(pipeline));
    expect(message).toContain("went backwards: its newest updated_at (2025-06-02 09:20:00+00) is older than the watermark the last load saved");
  });

  it('stops the run when the source lost more than half its rows; a reset with --truncate then makes the warehouse equal the source', async () => {
    await seed({ rows: 2000, label: 'fourth-', start: '2026-05-01 00:00:00+00', recreate: false });
    const worker = await harness.startWorker();
    try {
      expect((await etl(harness.settings, 'reset', file, '--yes')).status).toBe(0);
    } finally {
      await worker.stop();
    }
    await harness.run(pipeline);
    // Deletes keep the newest rows, so the watermark does not move: only the row count tells.
    await harness.source.query('DELETE FROM test_back.events WHERE event_id <= 1200');
    await harness.source.query('ANALYZE test_back.events');
    await waitFor('the live-row estimate', async () => {
      const live = await harness.source.query<{ n: string }>("SELECT n_live_tup AS n FROM pg_stat_user_tables WHERE relid = 'test_back.events'::regclass");
      return Number(live.rows[0]?.n) === 800 ? true : undefined;
    });
    const message = await failureOf(harness.run(pipeline));
    expect(message).toContain('went backwards: it holds 800 rows, under half of the 2000 it held at the last load');

    const restarted = await harness.startWorker();
    try {
      const reset = await etl(harness.settings, 'reset', file, '--truncate', '--yes');
      expect(reset.stdout).toContain('emptied test_back_wh.events');
    } finally {
      await restarted.stop();
    }
    await harness.run(pipeline);
    expect(await rowsOf(harness.warehouse, 'test_back_wh.events')).toEqual(await rowsOf(harness.source, 'test_back.events'));
  });
});
