import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { loadPipeline, type Pipeline } from '../../src/config';
import { changeWideData, seedWideData } from '../../src/dev/seed-wide';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';

/**
 * The bench's wide dataset as a user's tables: 19 columns of every common type with NULLs and hostile text, a
 * composite primary key, and a parent it references. After a first load and after a night of updates,
 * inserts and deletes (propagated), every source column in the warehouse equals the source's, compared as
 * text by SQL written here.
 */
let harness: Harness;
let pipeline: Pipeline;
const ROWS = 6_000;

const LINE_COLUMNS = 'order_id, line_no, part_id, supplier_id, quantity, extended_price, discount, tax, return_flag, line_status, ship_date, commit_date, receipt_date, ship_instruct, ship_mode, weight_kg, is_gift, comment, updated_at';
const ORDER_COLUMNS = 'order_id, customer_code, order_status, total_price, ordered_at, priority, clerk, comment, updated_at';

/** Count and md5 of every row rendered as text (NULLs spelled out), in key order; both databases share one server's TimeZone. */
const fingerprint = (columns: string, table: string, keys: string) =>
  `SELECT count(*)::text AS n, md5(string_agg(concat_ws('|', ${columns.split(', ').map((column) => `coalesce(${column}::text, '<null>')`).join(', ')}), E'\\n' ORDER BY ${keys})) AS h FROM ${table}`;

async function expectWarehouseEqualsSource(): Promise<void> {
  for (const [columns, source, target, keys] of [
    [LINE_COLUMNS, 'wide.order_lines', 'test_wide_wh.order_lines', 'order_id, line_no'],
    [ORDER_COLUMNS, 'wide.orders', 'test_wide_wh.orders', 'order_id'],
  ] as const) {
    const expected = (await harness.source.query<{ n: string; h: string }>(fingerprint(columns, source, keys))).rows[0];
    const actual = (await harness.warehouse.query<{ n: string; h: string }>(fingerprint(columns, target, keys))).rows[0];
    expect({ target, ...actual }).toEqual({ target, ...expected });
  }
}

beforeAll(async () => {
  harness = await createHarness();
  const wide = await loadPipeline({ file: 'pipelines/wide.yaml' });
  pipeline = {
    ...wide,
    name: 'test-wide',
    // Several parts per table, three copied at once: order lines cut on order_id alone (the leading column of their composite key).
    extract: { ...wide.extract, partRows: 1_000, parallelCopies: 3 },
    tables: wide.tables.map((table) => ({ ...table, target: table.target.replace('analytics.wide_', 'test_wide_wh.'), deletes: 'propagate' as const })),
  };
  await seedWideData({ pool: harness.source, rows: ROWS });
  await resetWarehouse(harness.warehouse, ['test_wide_wh']);
  await forgetPipelineState(harness.warehouse, pipeline.name);
});
afterAll(() => harness.close());

describe('the wide dataset (19 columns, composite key, a referenced parent)', () => {
  it('loads exactly, then a night of updates, inserts and deletes leaves the warehouse equal to the source', async () => {
    const first = await harness.run(pipeline, null);
    expect(first.tables.map((table) => [table.table, table.extractedRows, table.rejectedRows])).toEqual([
      ['orders', ROWS / 4, 0],
      ['order_lines', ROWS, 0],
    ]);
    await expectWarehouseEqualsSource();
    const raw = /^s3:\/\/([^/]+)\/(.+)$/.exec(first.tables[1]?.uris.raw ?? '');
    const parts = await harness.deps.s3.send(new ListObjectsV2Command({ Bucket: raw?.[1], Prefix: raw?.[2] }));
    expect((parts.Contents ?? []).filter((object) => /\/part-\d+\.parquet$/.test(object.Key ?? '')).length).toBe(ROWS / 1_000);

    const night = await changeWideData({ pool: harness.source });
    expect(night.deleted).toBeGreaterThan(0);
    const second = await harness.run(pipeline, null);
    const lines = second.tables.find((table) => table.table === 'order_lines');
    // Only the night's rows move: far fewer than the table.
    expect(lines?.extractedRows).toBeGreaterThan(0);
    expect(lines?.extractedRows).toBeLessThan(ROWS / 10);
    await expectWarehouseEqualsSource();
    const derived = await harness.warehouse.query<{ wrong: string }>(
      'SELECT count(*)::text AS wrong FROM test_wide_wh.order_lines WHERE net_price IS DISTINCT FROM extended_price * (1 - discount) OR ship_days IS DISTINCT FROM receipt_date - ship_date',
    );
    expect(derived.rows[0]?.wrong).toBe('0');
  });
});
