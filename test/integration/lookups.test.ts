import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { sourceColumnFor } from '../../src/sql/type-map';
import { createTransformCheckActivities } from '../../src/transform/check';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;

// Orders without a priority are rejected by the orders' own rule. Lines get their order's date and priority by
// lookup (a line of a missing or rejected order is unknown_order) and roll up by that date. Shipments point at
// lines by (order_id, line_no): a missing or rejected line is unknown_line; their line's quantity is looked up
// with onMiss: null.
const spec = {
  name: 'lookups',
  lake: { bucket: LOCAL_STACK.lakeBucket },
  tables: [
    { name: 'orders', source: 'test_lk.orders', target: 'test_lk_wh.orders', primaryKey: ['order_id'], mode: 'full-refresh', transform: [{ dropNulls: { columns: ['priority'], rule: 'no_priority' } }] },
    {
      name: 'lines',
      source: 'test_lk.lines',
      target: 'test_lk_wh.lines',
      primaryKey: ['order_id', 'line_no'],
      mode: 'full-refresh',
      dependsOn: ['orders'],
      transform: [{ lookup: { table: 'orders', on: ['order_id'], columns: ['ordered_at', 'priority'], as: { ordered_at: 'order_date' }, rule: 'unknown_order' } }],
      rollups: [{ target: 'test_lk_wh.daily_lines', refreshBy: 'order_date', groupBy: ['order_date', 'priority'], measures: { line_count: 'count(*)', total_qty: 'sum(qty)' } }],
    },
    {
      name: 'shipments',
      source: 'test_lk.shipments',
      target: 'test_lk_wh.shipments',
      primaryKey: ['shipment_id'],
      mode: 'full-refresh',
      dependsOn: ['lines'],
      transform: [
        { lookup: { table: 'lines', on: ['order_id', 'line_no'], columns: ['qty'], as: { qty: 'line_qty' }, onMiss: null } },
        { references: { rule: 'unknown_line', column: ['order_id', 'line_no'], table: 'lines' } },
      ],
    },
  ],
};
const pipeline: Pipeline = parsePipeline({ file: 'lookups.yaml', text: JSON.stringify(spec) });

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_lk CASCADE; CREATE SCHEMA test_lk');
  await harness.source.query('CREATE TABLE test_lk.orders (order_id int PRIMARY KEY, ordered_at date NOT NULL, priority text, note text)');
  await harness.source.query('CREATE TABLE test_lk.lines (order_id int, line_no int, qty int NOT NULL, price numeric(10,2), PRIMARY KEY (order_id, line_no))');
  await harness.source.query('CREATE TABLE test_lk.shipments (shipment_id int PRIMARY KEY, order_id int, line_no int, carrier text)');
  // 120 orders over 7 days; every eleventh has no priority (rejected by the orders' rule).
  await harness.source.query(
    "INSERT INTO test_lk.orders SELECT o, date '2026-01-01' + o % 7, CASE WHEN o % 11 = 0 THEN NULL WHEN o % 3 = 0 THEN 'high' ELSE 'low' END, 'n' || o FROM generate_series(1, 120) o",
  );
  // Lines for orders 1..130: orders 121..130 do not exist.
  await harness.source.query('INSERT INTO test_lk.lines SELECT o, l, l + o % 5, (o * l) % 97 + 0.5 FROM generate_series(1, 130) o, generate_series(1, 3) l WHERE l <= 1 + o % 3');
  // Shipments for lines that exist, for line numbers an order does not have, and with a NULL part.
  await harness.source.query("INSERT INTO test_lk.shipments SELECT s, 1 + s % 135, 1 + s % 4, 'c' || s % 3 FROM generate_series(1, 500) s");
  await harness.source.query('UPDATE test_lk.shipments SET line_no = NULL WHERE shipment_id % 41 = 0');
  await resetWarehouse(harness.warehouse, ['test_lk_wh']);
  await forgetPipelineState(harness.warehouse, 'lookups');
});
afterAll(() => harness.close());

describe('lookup steps', () => {
  let manifest: Awaited<ReturnType<Harness['run']>>;
  beforeAll(async () => {
    manifest = await harness.run(pipeline);
  });

  it("adds the order's date and priority to each line; a line of a missing or rejected order is rejected as unknown_order", async () => {
    // Written here: a line loads when its order exists and has a priority, carrying that order's columns.
    const expected = await harness.source.query(
      "SELECT l.order_id, l.line_no, l.qty, to_char(o.ordered_at, 'YYYY-MM-DD') AS order_date, o.priority FROM test_lk.lines l JOIN test_lk.orders o ON o.order_id = l.order_id WHERE o.priority IS NOT NULL ORDER BY 1, 2",
    );
    const loaded = await harness.warehouse.query("SELECT order_id, line_no, qty, to_char(order_date, 'YYYY-MM-DD') AS order_date, priority FROM test_lk_wh.lines ORDER BY 1, 2");
    expect(loaded.rows).toEqual(expected.rows);
    const total = await harness.source.query<{ n: number }>('SELECT count(*)::int AS n FROM test_lk.lines');
    const lines = manifest.tables.find((table) => table.table === 'lines');
    expect(lines?.rejectedByRule).toEqual({ unknown_order: (total.rows[0]?.n ?? 0) - expected.rows.length });
    // Both kinds of miss occur: orders that do not exist and orders rejected by their own rule.
    const ofRejected = await harness.source.query<{ n: number }>('SELECT count(*)::int AS n FROM test_lk.lines l JOIN test_lk.orders o USING (order_id) WHERE o.priority IS NULL');
    expect(ofRejected.rows[0]?.n).toBeGreaterThan(0);
    const types = await harness.warehouse.query<{ data_type: string }>("SELECT data_type FROM information_schema.columns WHERE table_schema = 'test_lk_wh' AND table_name = 'lines' AND column_name = 'order_date'");
    expect(types.rows[0]?.data_type).toBe('date');
  });

  it('rolls lines up by the looked-up date and priority, equal to the same sums over the source', async () => {
    const expected = await harness.source.query(
      "SELECT to_char(o.ordered_at, 'YYYY-MM-DD') AS d, o.priority, count(*)::int AS n, sum(l.qty)::int AS q FROM test_lk.lines l JOIN test_lk.orders o USING (order_id) WHERE o.priority IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
    );
    const rolled = await harness.warehouse.query("SELECT to_char(order_date, 'YYYY-MM-DD') AS d, priority, line_count::int AS n, total_qty::int AS q FROM test_lk_wh.daily_lines ORDER BY 1, 2");
    expect(expected.rows.length).toBeGreaterThan(9);
    expect(rolled.rows).toEqual(expected.rows);
  });

  it("looks up a composite key with onMiss: null: shipments keep NULL for a line part that is NULL, and unknown lines are rejected by the reference", async () => {
    // Written here: accepted lines are those whose order has a priority; a shipment with a NULL part keeps NULL.
    const expected = await harness.source.query(
      `SELECT s.shipment_id, l.qty AS line_qty FROM test_lk.shipments s
       LEFT JOIN (test_lk.lines l JOIN test_lk.orders o ON o.order_id = l.order_id AND o.priority IS NOT NULL) ON l.order_id = s.order_id AND l.line_no = s.line_no
       WHERE s.line_no IS NULL OR l.order_id IS NOT NULL ORDER BY 1`,
    );
    const loaded = await harness.warehouse.query<{ shipment_id: number; line_qty: number | null }>('SELECT shipment_id, line_qty FROM test_lk_wh.shipments ORDER BY 1');
    expect(loaded.rows).toEqual(expected.rows);
    expect(loaded.rows.some((row) => row.line_qty === null)).toBe(true);
    const shipments = manifest.tables.find((table) => table.table === 'shipments');
    expect(shipments?.rejectedByRule).toEqual({ unknown_line: 500 - expected.rows.length });
  });
});

describe('lookup checks before data moves', () => {
  it('refuses a lookup that would add a column the rows already have, naming the step', async () => {
    const lines = pipeline.tables.find((table) => table.name === 'lines');
    if (!lines) throw new Error('no lines table');
    const clashing = { ...lines, rollups: [], transform: [{ kind: 'lookup' as const, body: { table: 'orders', on: ['order_id'], columns: ['qty'], as: {}, rule: 'unknown_order', onMiss: 'reject' as const } }] };
    const sourceColumns = [sourceColumnFor('order_id', 'integer'), sourceColumnFor('line_no', 'integer'), sourceColumnFor('qty', 'integer')];
    await expect(createTransformCheckActivities(harness.deps).checkTransform({ table: clashing, sourceColumns })).rejects.toThrow(
      'table lines: transform[0] (lookup unknown_order) would add qty, which the rows already have; rename it with as: or drop the row\'s own column first',
    );
  });
});
