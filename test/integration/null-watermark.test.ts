import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { readRejected } from '../support/lake';

let harness: Harness;

/** test_nullwm.items into its own target, with the given nullWatermark policy (none: the default); `interval` cuts it on updated_at as an event time. */
function pipeline(name: string, nullWatermark?: 'include' | 'reject', interval = false): Pipeline {
  const cut = interval ? { window: 'interval', eventTime: 'updated_at' } : { mode: 'incremental', watermark: 'updated_at' };
  const table = { name: 'items', source: 'test_nullwm.items', target: `test_nullwm_wh.${name.replace(/-/g, '_')}`, primaryKey: ['id'], ...cut, nullWatermark };
  return parsePipeline({ file: 'nullwm.yaml', text: JSON.stringify({ name, lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [table] }) });
}

async function rows(pool: Harness['source'], table: string): Promise<string[][]> {
  return (await pool.query({ text: `SELECT id::text, v, updated_at::text FROM ${table} ORDER BY id`, rowMode: 'array' })).rows as string[][];
}

beforeEach(async () => {
  await harness.source.query('DROP SCHEMA IF EXISTS test_nullwm CASCADE; CREATE SCHEMA test_nullwm');
  await harness.source.query('CREATE TABLE test_nullwm.items (id int PRIMARY KEY, v text, updated_at timestamptz)');
  await harness.source.query("INSERT INTO test_nullwm.items VALUES (1, 'a', '2026-01-01 10:00:00+00'), (2, 'b', '2026-01-01 11:00:00+00'), (3, 'no watermark', NULL)");
});
beforeAll(async () => {
  harness = await createHarness();
  await resetWarehouse(harness.warehouse, ['test_nullwm_wh']);
  await harness.warehouse.query("DELETE FROM etl_state.watermarks WHERE pipeline LIKE 'nullwm-%'").catch(() => undefined);
});
afterAll(() => harness.close());

/** Changes row 1 (inside the next window) and the NULL-watermark row 3 (in every window). */
async function changeRows(): Promise<void> {
  await harness.source.query("UPDATE test_nullwm.items SET v = 'a2', updated_at = '2026-01-02 09:00:00+00' WHERE id = 1");
  await harness.source.query("UPDATE test_nullwm.items SET v = 'still no watermark' WHERE id = 3");
}

describe('rows whose watermark is NULL', () => {
  it('are included by default: extracted and merged by key on the first and on every incremental run', async () => {
    const run = pipeline('nullwm-include');
    const first = (await harness.run(run)).tables[0];
    expect(first).toMatchObject({ sourceRows: 3, extractedRows: 3, rejectedRows: 0, loadedRows: 3, nullWatermark: { policy: 'include', rows: 1 } });
    expect(first?.window?.to).toBe('2026-01-01 11:00:00+00');
    expect(await rows(harness.warehouse, 'test_nullwm_wh.nullwm_include')).toEqual(await rows(harness.source, 'test_nullwm.items'));

    await changeRows();
    const second = (await harness.run(run)).tables[0];
    expect(second).toMatchObject({ sourceRows: 2, extractedRows: 2, rejectedRows: 0, loadedRows: 2, nullWatermark: { policy: 'include', rows: 1 } });
    expect(await rows(harness.warehouse, 'test_nullwm_wh.nullwm_include')).toEqual(await rows(harness.source, 'test_nullwm.items'));
  });

  it('are extracted and rejected as null_watermark with nullWatermark: reject, on the first and on every incremental run', async () => {
    const run = pipeline('nullwm-reject', 'reject');
    const first = (await harness.run(run)).tables[0];
    expect(first).toMatchObject({ sourceRows: 3, extractedRows: 3, rejectedRows: 1, loadedRows: 2, rejectedByRule: { null_watermark: 1 }, nullWatermark: { policy: 'reject', rows: 1 } });
    expect(await readRejected(harness, first?.uris.rejected ?? '')).toEqual({ rows: 1, byReason: { null_watermark: 1 } });
    const loadedIds = async () => (await rows(harness.warehouse, 'test_nullwm_wh.nullwm_reject')).map(([id]) => id);
    expect(await loadedIds()).toEqual(['1', '2']);

    await changeRows();
    const second = (await harness.run(run)).tables[0];
    expect(second).toMatchObject({ sourceRows: 2, extractedRows: 2, rejectedRows: 1, loadedRows: 1, rejectedByRule: { null_watermark: 1 } });
    expect(await loadedIds()).toEqual(['1', '2']);
    const [row1] = await rows(harness.warehouse, 'test_nullwm_wh.nullwm_reject');
    expect(row1).toEqual(['1', 'a2', '2026-01-02 09:00:00+00']);
  });

  it('count in the window even when no row has a watermark yet', async () => {
    await harness.source.query('UPDATE test_nullwm.items SET updated_at = NULL');
    const first = (await harness.run(pipeline('nullwm-all-null'))).tables[0];
    expect(first).toMatchObject({ sourceRows: 3, extractedRows: 3, loadedRows: 3, nullWatermark: { policy: 'include', rows: 3 } });
  });

  it('with window: interval, NULL event times are in every day\'s window and follow nullWatermark (include, reject)', async () => {
    // Rows 1 and 2 fall on 2026-01-01 (UTC); row 3 has no event time; 01-02 holds none.
    const included = await harness.run(pipeline('nullwm-iv-include', undefined, true), '2026-01-01');
    expect(included.tables[0]).toMatchObject({ sourceRows: 3, extractedRows: 3, rejectedRows: 0, loadedRows: 3, nullWatermark: { policy: 'include', rows: 1 } });
    expect(await rows(harness.warehouse, 'test_nullwm_wh.nullwm_iv_include')).toEqual(await rows(harness.source, 'test_nullwm.items'));
    const nextDay = await harness.run(pipeline('nullwm-iv-include', undefined, true), '2026-01-02');
    expect(nextDay.tables[0]).toMatchObject({ sourceRows: 1, extractedRows: 1, loadedRows: 1, nullWatermark: { policy: 'include', rows: 1 } });

    const rejected = (await harness.run(pipeline('nullwm-iv-reject', 'reject', true), '2026-01-01')).tables[0];
    expect(rejected).toMatchObject({ sourceRows: 3, extractedRows: 3, rejectedRows: 1, loadedRows: 2, rejectedByRule: { null_watermark: 1 }, nullWatermark: { policy: 'reject', rows: 1 } });
    expect(await readRejected(harness, rejected?.uris.rejected ?? '')).toEqual({ rows: 1, byReason: { null_watermark: 1 } });
    expect((await rows(harness.warehouse, 'test_nullwm_wh.nullwm_iv_reject')).map(([id]) => id)).toEqual(['1', '2']);
  });
});
