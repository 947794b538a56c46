import { loadPipeline, type Pipeline } from '../../src/config';
import { changeDemoData, seedDemoData } from '../../src/dev/seed';
import { compareWarehouse } from '../support/expected';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { readRejected } from '../support/lake';

let harness: Harness;
let pipeline: Pipeline;

beforeAll(async () => {
  harness = await createHarness();
  pipeline = await loadPipeline({ file: 'pipelines/demo.yaml' });
  await seedDemoData({ pool: harness.source, rows: 20_000, seed: 7 });
  await resetWarehouse(harness.warehouse);
});
afterAll(() => harness.close());

async function expectWarehouseEqualsSource(): Promise<void> {
  const comparison = await compareWarehouse(harness.source, harness.warehouse);
  for (const [table, { expected, actual }] of Object.entries(comparison)) {
    expect({ table, ...actual }).toEqual({ table, ...expected });
  }
}

describe('the demo pipeline end to end on the local stack', () => {
  it('loads the warehouse so it equals the source after the documented rules, and rejects every dirty row with its reason', async () => {
    const manifest = await harness.run(pipeline);
    await expectWarehouseEqualsSource();
    const sales = manifest.tables.find((table) => table.table === 'sales');
    const sourceRows = await harness.source.query<{ n: string }>('SELECT count(*) AS n FROM raw.sales');
    expect(sales?.extractedRows).toBe(Number(sourceRows.rows[0]?.n));
    for (const table of manifest.tables) expect(table.extractedRows).toBe(table.loadedRows + table.rejectedRows);
    expect(Object.keys(sales?.rejectedByRule ?? {}).sort()).toEqual(['duplicate_key', 'negative_quantity', 'null_key', 'unknown_customer', 'unknown_product']);

    // Every rule the demo pipeline declares rejects some row of the demo data.
    const declared = pipeline.tables.flatMap((table) =>
      table.transform.flatMap((step) => {
        if (step.kind === 'dedupe') return [`${table.name}:duplicate_key`];
        return step.kind === 'dropNulls' || step.kind === 'filter' || step.kind === 'references' ? [`${table.name}:${step.body.rule}`] : [];
      }),
    );
    const fired = manifest.tables.flatMap((table) => Object.entries(table.rejectedByRule).filter(([, count]) => count > 0).map(([rule]) => `${table.table}:${rule}`));
    expect(declared.filter((rule) => !fired.includes(rule))).toEqual([]);

    // A sale of a product its own table rejects (negative_price) is unknown_product, counted here independently.
    const products = manifest.tables.find((table) => table.table === 'products');
    const negative = await harness.source.query<{ n: string }>('SELECT count(*) AS n FROM raw.products WHERE unit_price < 0');
    expect(products?.rejectedByRule).toEqual({ negative_price: Number(negative.rows[0]?.n) });
    const unknownProduct = await harness.source.query<{ n: string }>(`
      WITH latest AS (SELECT DISTINCT ON (sale_id) * FROM raw.sales WHERE sale_id IS NOT NULL AND customer_id IS NOT NULL ORDER BY sale_id, updated_at DESC, id DESC)
      SELECT count(*) AS n FROM latest WHERE quantity >= 0 AND customer_id IN (SELECT customer_id FROM raw.customers)
        AND product_id IN (SELECT product_id FROM raw.products WHERE unit_price < 0)`);
    expect(Number(unknownProduct.rows[0]?.n)).toBeGreaterThan(0);
    expect(sales?.rejectedByRule.unknown_product).toBe(Number(unknownProduct.rows[0]?.n));

    const rejected = await readRejected(harness, sales?.uris.rejected ?? '');
    expect(rejected.rows).toBe(sales?.rejectedRows);
    expect(rejected.byReason).toEqual(sales?.rejectedByRule);
    const dirty = await harness.source.query<{ n: string }>(
      'SELECT count(*) AS n FROM raw.sales WHERE sale_id IS NULL OR customer_id IS NULL OR quantity < 0 OR customer_id NOT IN (SELECT customer_id FROM raw.customers)',
    );
    expect(rejected.rows).toBeGreaterThanOrEqual(Number(dirty.rows[0]?.n));

    // Facts extract beside the dimensions, but their load commits only after the dimensions' loads.
    const loads = await harness.warehouse.query<{ table_name: string }>('SELECT table_name FROM etl_state.loads WHERE run_id = $1 ORDER BY loaded_at', [manifest.runId]);
    expect(loads.rows.map((row) => row.table_name).at(-1)).toBe('sales');

    const padded = await harness.warehouse.query<{ n: string }>(
      "SELECT count(*) AS n FROM analytics.customer_dim WHERE first_name <> upper(trim(first_name)) OR email !~ '@.*\\.'",
    );
    expect(Number(padded.rows[0]?.n)).toBe(0);
  });

  it('leaves the warehouse unchanged when the same run happens again', async () => {
    const before = await compareWarehouse(harness.source, harness.warehouse);
    const manifest = await harness.run(pipeline);
    expect(manifest.tables.map((table) => table.extractedRows)).toEqual([0, 0, 0]);
    expect(await compareWarehouse(harness.source, harness.warehouse)).toEqual(before);
  });

  it('moves only changed and new rows on the next incremental run, applying updates in place', async () => {
    const changes = await changeDemoData({ pool: harness.source, updateFraction: 0.01, insertRows: 500, seed: 7 });
    expect(changes.inserted).toBe(500);
    const manifest = await harness.run(pipeline, '2026-01-16');
    const extracted = Object.fromEntries(manifest.tables.map((table) => [table.table, table.extractedRows]));
    expect(extracted).toEqual({ customers: changes.updated.customers, products: changes.updated.products, sales: changes.updated.sales + changes.inserted });
    await expectWarehouseEqualsSource();
    const duplicates = await harness.warehouse.query<{ n: string }>('SELECT count(*) - count(DISTINCT sale_id) AS n FROM analytics.sales_fact');
    expect(Number(duplicates.rows[0]?.n)).toBe(0);
  });
});
