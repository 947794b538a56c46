import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;

const base = { source: 'test_del.items', primaryKey: ['id'], mode: 'incremental', watermark: 'updated_at' };
const spec = {
  name: 'deletes',
  lake: { bucket: LOCAL_STACK.lakeBucket },
  tables: [
    { ...base, name: 'propagated', target: 'test_del_wh.propagated', deletes: 'propagate', rollups: [{ target: 'test_del_wh.per_day', refreshBy: 'day', groupBy: ['day'], measures: { items: 'count(*)', total: 'sum(amount)' } }] },
    { ...base, name: 'marked', target: 'test_del_wh.marked', deletes: 'soft' },
  ],
};
const pipeline: Pipeline = parsePipeline({ file: 'deletes.yaml', text: JSON.stringify(spec) });

/** Rows as text in key order, by SQL written here. */
async function rows(pool: typeof harness.source, table: string, where = 'true'): Promise<string[]> {
  const result = await pool.query<{ r: string }>(`SELECT id || '|' || day || '|' || amount || '|' || (updated_at AT TIME ZONE 'UTC')::text AS r FROM ${table} WHERE ${where} ORDER BY id`);
  return result.rows.map((row) => row.r);
}

async function perDay(pool: typeof harness.source, table: string, where = 'true'): Promise<string[]> {
  const result = await pool.query<{ r: string }>(`SELECT day || '|' || count(*) || '|' || sum(amount) AS r FROM ${table} WHERE ${where} GROUP BY day ORDER BY day`);
  return result.rows.map((row) => row.r);
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_del CASCADE; CREATE SCHEMA test_del');
  // A surrogate primary key at the source; the warehouse is keyed on the business key `id`.
  await harness.source.query('CREATE TABLE test_del.items (row_id bigint GENERATED ALWAYS AS IDENTITY (START WITH 5000) PRIMARY KEY, id bigint NOT NULL UNIQUE, day date NOT NULL, amount numeric(10,2) NOT NULL, updated_at timestamptz NOT NULL)');
  await harness.source.query("INSERT INTO test_del.items (id, day, amount, updated_at) SELECT i, date '2026-05-01' + (i % 7), i * 0.5, timestamptz '2026-05-01 00:00:00+00' + i * interval '1 minute' FROM generate_series(1, 300) i");
  await resetWarehouse(harness.warehouse, ['test_del_wh']);
  for (const table of ['watermarks', 'source_marks']) await harness.warehouse.query(`DELETE FROM etl_state.${table} WHERE pipeline = 'deletes'`).catch(() => undefined);
});
afterAll(() => harness.close());

describe('rows deleted at the source', () => {
  it('are deleted (propagate) or marked (soft) on the next run, rollups rebuilt; a key that returns is live again', async () => {
    await harness.run(pipeline);
    await harness.source.query('DELETE FROM test_del.items WHERE id BETWEEN 10 AND 14 OR id = 200');
    await harness.source.query("UPDATE test_del.items SET amount = amount + 1, updated_at = timestamptz '2026-06-01 00:00:00+00' WHERE id IN (20, 21)");
    await harness.source.query("INSERT INTO test_del.items (id, day, amount, updated_at) VALUES (301, date '2026-05-03', 9.99, timestamptz '2026-06-01 00:00:01+00')");

    const second = await harness.run(pipeline);
    const byName = new Map(second.tables.map((table) => [table.table, table]));
    expect(byName.get('propagated')?.deletedRows).toBe(6);
    expect(byName.get('marked')?.deletedRows).toBe(6);
    const source = await rows(harness.source, 'test_del.items');
    expect(await rows(harness.warehouse, 'test_del_wh.propagated')).toEqual(source);
    expect(await perDay(harness.warehouse, 'test_del_wh.propagated')).toEqual(await perDay(harness.source, 'test_del.items'));
    const rollup = await harness.warehouse.query<{ r: string }>("SELECT day || '|' || items || '|' || total AS r FROM test_del_wh.per_day ORDER BY day");
    expect(rollup.rows.map((row) => row.r)).toEqual(await perDay(harness.source, 'test_del.items'));
    expect(await rows(harness.warehouse, 'test_del_wh.marked', 'NOT is_deleted')).toEqual(source);
    const marked = await harness.warehouse.query<{ id: string }>('SELECT id FROM test_del_wh.marked WHERE is_deleted AND deleted_at IS NOT NULL ORDER BY id');
    expect(marked.rows.map((row) => Number(row.id))).toEqual([10, 11, 12, 13, 14, 200]);

    await harness.source.query("INSERT INTO test_del.items (id, day, amount, updated_at) VALUES (10, date '2026-05-04', 1.00, timestamptz '2026-06-02 00:00:00+00')");
    const third = await harness.run(pipeline);
    expect(third.tables.map((table) => table.deletedRows)).toEqual([0, 0]);
    expect(await rows(harness.warehouse, 'test_del_wh.marked', 'NOT is_deleted')).toEqual(await rows(harness.source, 'test_del.items'));
    expect(await rows(harness.warehouse, 'test_del_wh.propagated')).toEqual(await rows(harness.source, 'test_del.items'));
  });
});
