import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;

const measures = { n: 'count(*)', qty: 'sum(qty)', low: 'min(amount)', high: 'max(amount)', buyers: 'count(distinct buyer)', priced: 'count(amount)' };
const groupBy = ['day', 'region', 'product', 'shop'];
const base = { source: 'test_rg.sales', primaryKey: ['id'], mode: 'incremental', watermark: 'updated_at' };
const spec = {
  name: 'rollup-groups',
  lake: { bucket: LOCAL_STACK.lakeBucket },
  tables: [
    { ...base, name: 'gone', target: 'test_rg_wh.gone', deletes: 'propagate', rollups: [{ target: 'test_rg_wh.gone_daily', groupBy, measures }] },
    { ...base, name: 'soft', target: 'test_rg_wh.soft', deletes: 'soft', rollups: [{ target: 'test_rg_wh.soft_daily', groupBy, measures }] },
  ],
};
const pipeline: Pipeline = parsePipeline({ file: 'rollup-groups.yaml', text: JSON.stringify(spec) });

/** A rollup's rows, NULLs spelled out, from the rollup table or (over a fact table) recomputed by SQL written here. */
const render = "coalesce(day::text, '∅') || '|' || coalesce('[' || region || ']', '∅') || '|' || coalesce(product::text, '∅') || '|' || shop || '|' || n || '|' || coalesce(qty::text, '∅') || '|' || coalesce(low::text, '∅') || '|' || coalesce(high::text, '∅') || '|' || buyers || '|' || priced";
const recompute = 'SELECT day, region, product, shop, count(*) AS n, sum(qty) AS qty, min(amount) AS low, max(amount) AS high, count(DISTINCT buyer) AS buyers, count(amount) AS priced';

async function rollupRows(pool: typeof harness.source, from: string): Promise<string[]> {
  const result = await pool.query<{ r: string }>(`SELECT ${render} AS r FROM ${from} ORDER BY 1`);
  return result.rows.map((row) => row.r);
}

const fromSource = () => rollupRows(harness.source, `(${recompute} FROM test_rg.sales GROUP BY 1, 2, 3, 4) x`);

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_rg CASCADE; CREATE SCHEMA test_rg');
  // Group columns nullable (NULL and '' regions are different groups; NULL days and products are groups too) and one NOT NULL (shop).
  await harness.source.query('CREATE TABLE test_rg.sales (id bigint PRIMARY KEY, day date, region text, product int, shop int NOT NULL, buyer int, qty int, amount numeric(10,2), updated_at timestamptz NOT NULL)');
  await harness.source.query(`INSERT INTO test_rg.sales SELECT i,
      CASE WHEN i % 11 = 0 THEN NULL ELSE date '2026-03-01' + (i % 5) END,
      CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'north' ELSE 'south' END,
      CASE WHEN i % 13 = 0 THEN NULL ELSE i % 6 END, i % 2,
      i % 17, CASE WHEN i % 9 = 0 THEN NULL ELSE i % 23 END, CASE WHEN i % 10 = 0 THEN NULL ELSE (i * 1.25)::numeric(10,2) END,
      timestamptz '2026-03-01 00:00:00+00' + i * interval '1 second'
    FROM generate_series(1, 2000) i`);
  await resetWarehouse(harness.warehouse, ['test_rg_wh']);
  for (const table of ['watermarks', 'source_marks', 'loads']) await harness.warehouse.query(`DELETE FROM etl_state.${table} WHERE pipeline = 'rollup-groups'`).catch(() => undefined);
});
afterAll(() => harness.close());

describe('rollups on a nightly merge', () => {
  it('rebuild exactly the groups rows entered, left or moved between, NULL groups included', async () => {
    await harness.run(pipeline);
    expect(await rollupRows(harness.warehouse, 'test_rg_wh.gone_daily')).toEqual(await fromSource());

    const later = "updated_at = timestamptz '2026-04-01 00:00:00+00' + id * interval '1 second'";
    // Moves between groups (into and out of NULL and '' groups), changed measures, a group emptied, a new group.
    await harness.source.query(`UPDATE test_rg.sales SET region = NULL, ${later} WHERE id IN (2, 3, 7)`);
    await harness.source.query(`UPDATE test_rg.sales SET region = '', day = NULL, ${later} WHERE id IN (4, 8)`);
    await harness.source.query(`UPDATE test_rg.sales SET product = NULL, amount = NULL, qty = qty + 100, ${later} WHERE id IN (5, 10, 12)`);
    await harness.source.query(`UPDATE test_rg.sales SET amount = 99999.99, buyer = 99, ${later} WHERE id BETWEEN 100 AND 120`);
    await harness.source.query(`UPDATE test_rg.sales SET shop = 1 - shop, ${later} WHERE id BETWEEN 130 AND 140`);
    const lonely = (await harness.source.query<{ id: string }>("SELECT min(id) AS id FROM test_rg.sales WHERE day = date '2026-03-02' AND region = 'south' AND product = 1")).rows[0]?.id;
    await harness.source.query("DELETE FROM test_rg.sales WHERE day = date '2026-03-02' AND region = 'south' AND product = 1 AND id <> $1", [lonely]);
    await harness.source.query('DELETE FROM test_rg.sales WHERE id = $1 OR id BETWEEN 1500 AND 1510', [lonely]);
    await harness.source.query("INSERT INTO test_rg.sales VALUES (5001, date '2027-01-01', 'east', 42, 0, 1, 3, 7.50, timestamptz '2026-04-02 00:00:00+00'), (5002, NULL, NULL, NULL, 1, NULL, NULL, NULL, timestamptz '2026-04-02 00:00:01+00')");

    await harness.run(pipeline);
    const expected = await fromSource();
    expect(expected.filter((row) => row.startsWith('2026-03-02|[south]|1|'))).toEqual([]);
    // shop is NOT NULL at the source, so in the target too: its groups join by plain equality.
    const notNull = await harness.warehouse.query<{ attname: string }>("SELECT attname FROM pg_attribute WHERE attrelid = 'test_rg_wh.gone'::regclass AND attnotnull AND attnum > 0 ORDER BY attname");
    expect(notNull.rows.map((row) => row.attname)).toEqual(['id', 'shop', 'updated_at']);
    expect(await rollupRows(harness.warehouse, 'test_rg_wh.gone_daily')).toEqual(expected);
    // Soft-deleted rows leave the rollup although they stay in the target.
    expect(await rollupRows(harness.warehouse, 'test_rg_wh.soft_daily')).toEqual(expected);
    expect(await rollupRows(harness.warehouse, `(${recompute} FROM test_rg_wh.soft WHERE NOT is_deleted GROUP BY 1, 2, 3, 4) x`)).toEqual(expected);

    // A deleted key that returns counts again.
    await harness.source.query("INSERT INTO test_rg.sales VALUES (1505, date '2026-03-02', 'south', 1, 1, 3, 4, 1.00, timestamptz '2026-04-03 00:00:00+00')");
    await harness.run(pipeline);
    expect(await rollupRows(harness.warehouse, 'test_rg_wh.soft_daily')).toEqual(await fromSource());
    expect(await rollupRows(harness.warehouse, 'test_rg_wh.gone_daily')).toEqual(await fromSource());
  });
});
