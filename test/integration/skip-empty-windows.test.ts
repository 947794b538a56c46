import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import type { RunManifest } from '../../src/workflows';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;

const watermarked = { mode: 'merge', watermark: 'updated_at' };
const pipeline: Pipeline = parsePipeline({
  file: 'skips.yaml',
  text: JSON.stringify({
    name: 'skips',
    lake: { bucket: LOCAL_STACK.lakeBucket },
    maxParallelTables: 3,
    tables: [
      { ...watermarked, name: 'orders', source: 'test_skip.orders', target: 'test_skip_wh.orders', primaryKey: ['id'] },
      {
        ...watermarked,
        name: 'lines',
        source: 'test_skip.lines',
        target: 'test_skip_wh.lines',
        primaryKey: ['order_id', 'line_no'],
        dependsOn: ['orders'],
        transform: [{ references: { rule: 'unknown_order', column: 'order_id', table: 'orders' } }],
      },
      { ...watermarked, name: 'notes', source: 'test_skip.notes', target: 'test_skip_wh.notes', primaryKey: ['id'] },
    ],
  }),
});
const deletesPipeline: Pipeline = parsePipeline({
  file: 'skips-deletes.yaml',
  text: JSON.stringify({
    name: 'skips-deletes',
    lake: { bucket: LOCAL_STACK.lakeBucket },
    tables: [{ ...watermarked, name: 'gone', source: 'test_skip.gone', target: 'test_skip_wh.gone', primaryKey: ['id'], deletes: 'propagate' }],
  }),
});

/** Every row of a table as one text, in key order, by SQL written here. */
async function fingerprint(pool: typeof harness.source, table: string, key: string): Promise<{ n: string; h: string | null }> {
  const row = (await pool.query<{ n: string; h: string | null }>(`SELECT count(*)::text AS n, md5(string_agg(t::text, ',' ORDER BY ${key})) AS h FROM ${table} t`)).rows[0];
  return row ?? { n: '0', h: null };
}

/** What the warehouse holds for the pipeline: every row of its targets, and its saved watermarks and source marks. */
async function warehouseState(): Promise<unknown> {
  const targets = {
    orders: await fingerprint(harness.warehouse, 'test_skip_wh.orders', 'id'),
    lines: await fingerprint(harness.warehouse, 'test_skip_wh.lines', 'order_id, line_no'),
    notes: await fingerprint(harness.warehouse, 'test_skip_wh.notes', 'id'),
  };
  const state = async (table: string) =>
    (await harness.warehouse.query(`SELECT t::text AS r FROM etl_state.${table} t WHERE pipeline = 'skips' ORDER BY table_name`)).rows.map((row: { r: string }) => row.r);
  return { targets, watermarks: await state('watermarks'), sourceMarks: await state('source_marks') };
}

/** The activity types a run and its table workflows scheduled, and the table workflows it started. */
async function scheduled(manifest: RunManifest): Promise<{ activities: string[]; children: string[] }> {
  const read = async (workflowId: string) => (await harness.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const events = await read(manifest.runId);
  const children = events.flatMap((event) => (event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ? [event.startChildWorkflowExecutionInitiatedEventAttributes.workflowId] : []));
  const all = [events, ...(await Promise.all(children.map(read)))].flat();
  const activities = all.flatMap((event) => (event.activityTaskScheduledEventAttributes?.activityType?.name ? [event.activityTaskScheduledEventAttributes.activityType.name] : []));
  return { activities: activities.sort(), children: children.map((id) => id.slice(manifest.runId.length + 1)).sort() };
}

const skippedOf = (manifest: RunManifest) => Object.fromEntries(manifest.tables.map((table) => [table.table, table.skipped ?? 'ran']));

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_skip CASCADE; CREATE SCHEMA test_skip');
  await harness.source.query('CREATE TABLE test_skip.orders (id bigint PRIMARY KEY, amount numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL)');
  await harness.source.query('CREATE TABLE test_skip.lines (order_id bigint NOT NULL, line_no int NOT NULL, qty int NOT NULL, updated_at timestamptz NOT NULL, PRIMARY KEY (order_id, line_no))');
  await harness.source.query('CREATE TABLE test_skip.notes (id bigint PRIMARY KEY, body text, updated_at timestamptz NOT NULL)');
  await harness.source.query('CREATE TABLE test_skip.gone (id bigint PRIMARY KEY, body text, updated_at timestamptz NOT NULL)');
  const at = "timestamptz '2026-05-01 00:00:00+00' + i * interval '1 minute'";
  await harness.source.query(`INSERT INTO test_skip.orders SELECT i, i * 1.25, ${at} FROM generate_series(1, 200) i`);
  await harness.source.query(`INSERT INTO test_skip.lines SELECT i, l, i + l, ${at} FROM generate_series(1, 200) i, generate_series(1, 3) l`);
  await harness.source.query(`INSERT INTO test_skip.notes SELECT i, 'note ' || i, ${at} FROM generate_series(1, 2000) i`);
  await harness.source.query(`INSERT INTO test_skip.gone SELECT i, 'row ' || i, ${at} FROM generate_series(1, 50) i`);
  await harness.source.query('ANALYZE test_skip.orders, test_skip.lines, test_skip.notes, test_skip.gone');
  await resetWarehouse(harness.warehouse, ['test_skip_wh']);
  for (const table of ['watermarks', 'source_marks', 'loads']) await harness.warehouse.query(`DELETE FROM etl_state.${table} WHERE pipeline IN ('skips', 'skips-deletes')`).catch(() => undefined);
  const first = await harness.run(pipeline);
  expect(Object.fromEntries(first.tables.map((table) => [table.table, table.loadedRows]))).toEqual({ orders: 200, lines: 600, notes: 2000 });
});
afterAll(() => harness.close());

describe('a run with nothing new', () => {
  it('skips extract, transform and load of every table and leaves the warehouse, watermarks and source marks as they were', async () => {
    const before = await warehouseState();
    const manifest = await harness.run(pipeline);
    expect(skippedOf(manifest)).toEqual({ orders: 'empty window', lines: 'empty window', notes: 'empty window' });
    expect(manifest.tables.map((table) => [table.sourceRows, table.extractedRows, table.loadedRows])).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    // One planning activity and the manifest: no table workflow, no extract, transform or load.
    expect(await scheduled(manifest)).toEqual({ activities: ['planTables', 'writeManifest'], children: [] });
    expect(await warehouseState()).toEqual(before);
    const source = await fingerprint(harness.source, 'test_skip.notes', 'id');
    expect(await fingerprint(harness.warehouse, 'test_skip_wh.notes', 'id')).toEqual(source);
  });
});

describe('a run with changes in one table of three', () => {
  it('runs that table only; its reference check still waits for, and reads, the skipped table it depends on', async () => {
    await harness.source.query("UPDATE test_skip.lines SET qty = qty + 100, updated_at = timestamptz '2026-06-01 00:00:00+00' WHERE order_id IN (7, 8)");
    await harness.source.query("INSERT INTO test_skip.lines VALUES (9, 4, 1, timestamptz '2026-06-01 00:00:01+00'), (999, 1, 1, timestamptz '2026-06-01 00:00:02+00')");
    const manifest = await harness.run(pipeline);
    expect(skippedOf(manifest)).toEqual({ orders: 'empty window', lines: 'ran', notes: 'empty window' });
    const lines = manifest.tables.find((table) => table.table === 'lines');
    expect(lines).toMatchObject({ extractedRows: 8, loadedRows: 7, rejectedByRule: { unknown_order: 1 } });
    const run = await scheduled(manifest);
    expect(run.children).toEqual(['lines']);
    expect(run.activities.filter((name) => name === 'transformTable' || name.startsWith('loadInto'))).toEqual(['loadIntoPostgres', 'transformTable']);
    const accepted = await fingerprint(harness.source, '(SELECT * FROM test_skip.lines WHERE order_id IN (SELECT id FROM test_skip.orders))', 'order_id, line_no');
    expect(await fingerprint(harness.warehouse, 'test_skip_wh.lines', 'order_id, line_no')).toEqual(accepted);
  });
});

describe('the saved state of a table with an empty window', () => {
  it('still moves when the source shrank (the load runs and saves the new source mark the went-backwards check compares with)', async () => {
    await harness.source.query('DELETE FROM test_skip.notes WHERE id <= 600');
    await harness.source.query('ANALYZE test_skip.notes');
    const manifest = await harness.run(pipeline);
    expect(skippedOf(manifest)).toEqual({ orders: 'empty window', lines: 'empty window', notes: 'ran' });
    const mark = await harness.warehouse.query<{ source_rows: string; run_id: string }>("SELECT source_rows::text, run_id FROM etl_state.source_marks WHERE pipeline = 'skips' AND table_name = 'notes'");
    expect(mark.rows).toEqual([{ source_rows: '1400', run_id: manifest.runId }]);
    // With the mark saved, the next run has nothing new again.
    expect(skippedOf(await harness.run(pipeline))).toEqual({ orders: 'empty window', lines: 'empty window', notes: 'empty window' });
  });
});

describe('a table with deletes: propagate', () => {
  it('is never skipped: a row deleted at the source is removed in a run with no new rows', async () => {
    await harness.run(deletesPipeline);
    await harness.source.query('DELETE FROM test_skip.gone WHERE id IN (3, 30)');
    const manifest = await harness.run(deletesPipeline);
    expect(manifest.tables[0]).toMatchObject({ sourceRows: 0, extractedRows: 0, deletedRows: 2 });
    expect(manifest.tables[0]?.skipped).toBeUndefined();
    expect(await fingerprint(harness.warehouse, 'test_skip_wh.gone', 'id')).toEqual(await fingerprint(harness.source, 'test_skip.gone', 'id'));
  });
});
