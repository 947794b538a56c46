import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;

// Returns point at order lines by (order_id, line_no), the lines' composite key; lines with no quantity are rejected.
const spec = {
  name: 'composite-refs',
  lake: { bucket: LOCAL_STACK.lakeBucket },
  tables: [
    { name: 'lines', source: 'test_cref.lines', target: 'test_cref_wh.lines', primaryKey: ['order_id', 'line_no'], mode: 'full-refresh', transform: [{ filter: { rule: 'no_quantity', keep: 'qty > 0' } }] },
    {
      name: 'returns',
      source: 'test_cref.returns',
      target: 'test_cref_wh.returns',
      primaryKey: ['return_id'],
      mode: 'full-refresh',
      dependsOn: ['lines'],
      transform: [{ references: { rule: 'unknown_line', column: ['order_id', 'line_no'], table: 'lines' } }],
    },
  ],
};
const pipeline: Pipeline = parsePipeline({ file: 'composite-refs.yaml', text: JSON.stringify(spec) });

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_cref CASCADE; CREATE SCHEMA test_cref');
  await harness.source.query('CREATE TABLE test_cref.lines (order_id int, line_no int, qty int NOT NULL, PRIMARY KEY (order_id, line_no))');
  await harness.source.query('CREATE TABLE test_cref.returns (return_id int PRIMARY KEY, order_id int, line_no int)');
  // 100 orders with 1 to 4 lines each; every seventh line has no quantity.
  await harness.source.query('INSERT INTO test_cref.lines SELECT o, l, CASE WHEN (o * 4 + l) % 7 = 0 THEN 0 ELSE l END FROM generate_series(1, 100) o, generate_series(1, 4) l WHERE l <= 1 + o % 4');
  // Returns for existing lines, for line numbers an order does not have, for orders that do not exist, and with a NULL part.
  await harness.source.query('INSERT INTO test_cref.returns SELECT r, 1 + r % 110, 1 + r % 5 FROM generate_series(1, 400) r');
  await harness.source.query('UPDATE test_cref.returns SET order_id = NULL WHERE return_id % 37 = 0');
  await resetWarehouse(harness.warehouse, ['test_cref_wh']);
  await forgetPipelineState(harness.warehouse, 'composite-refs');
});
afterAll(() => harness.close());

describe('references to a composite key', () => {
  it('keeps the returns whose (order_id, line_no) is a line the warehouse accepted, and rejects the others as unknown_line', async () => {
    const manifest = await harness.run(pipeline);
    // Written here: a return is kept when a part is NULL, or the pair is a line with a quantity.
    const expected = await harness.source.query<{ return_id: number }>(
      'SELECT return_id FROM test_cref.returns r WHERE r.order_id IS NULL OR r.line_no IS NULL OR EXISTS (SELECT 1 FROM test_cref.lines l WHERE l.order_id = r.order_id AND l.line_no = r.line_no AND l.qty > 0) ORDER BY return_id',
    );
    const loaded = await harness.warehouse.query<{ return_id: number }>('SELECT return_id FROM test_cref_wh.returns ORDER BY return_id');
    expect(loaded.rows).toEqual(expected.rows);
    const returns = manifest.tables.find((table) => table.table === 'returns');
    expect(expected.rows.length).toBeGreaterThan(50);
    expect(returns?.rejectedByRule).toEqual({ unknown_line: 400 - expected.rows.length });
    // Some rejected pairs exist at the source but were rejected by lines' own rule: accepted keys, not source keys.
    const rejectedButPresent = await harness.source.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM test_cref.returns r JOIN test_cref.lines l ON l.order_id = r.order_id AND l.line_no = r.line_no WHERE l.qty = 0',
    );
    expect(rejectedButPresent.rows[0]?.n).toBeGreaterThan(0);
  });
});
