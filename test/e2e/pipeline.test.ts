import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadPipeline, type Pipeline } from '../../src/config';
import { changeDemoData, seedDemoData } from '../../src/dev/seed';
import { demoReturnFiles, dropDemoReturns } from '../../src/dev/seed-returns';
import { compareWarehouse } from '../support/expected';
import { openDuckdb } from '../support/duckdb';
import { deleteUnder } from '../support/files-landing';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { readRejected } from '../support/lake';

let harness: Harness;
let pipeline: Pipeline;

beforeAll(async () => {
  harness = await createHarness();
  pipeline = await loadPipeline({ file: 'pipelines/demo.yaml' });
  const seeded = await seedDemoData({ pool: harness.source, rows: 20_000, seed: 7 });
  for (const prefix of ['landing/returns/', 'quarantine/returns/']) await deleteUnder(harness.deps.s3, pipeline.lake.bucket, prefix);
  await dropDemoReturns({ s3: harness.deps.s3, bucket: pipeline.lake.bucket, sales: seeded.sales });
  await resetWarehouse(harness.warehouse);
});

/** The demo's return files as the test reads them (its own DuckDB, every value as text): rows by amount. */
async function countReturns(): Promise<{ positive: number; other: number; unreadable: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'demo-returns-'));
  const duckdb = await openDuckdb();
  try {
    const paths: string[] = [];
    for (const file of demoReturnFiles({ sales: 20_000 })) {
      const text = file.name.endsWith('.gz') ? gunzipSync(file.body).toString() : file.body.toString();
      if (!text.startsWith('return_id,')) continue; // the wrong-schema file: quarantined, not counted
      paths.push(join(dir, `${paths.length}.csv`));
      await writeFile(paths.at(-1) as string, text);
    }
    const amount = 'TRY_CAST(amount AS DECIMAL(12,2))';
    const sql = `SELECT count(*) FILTER (WHERE ${amount} > 0), count(*) FILTER (WHERE ${amount} <= 0), count(*) FILTER (WHERE ${amount} IS NULL) FROM read_csv([${paths.map((path) => `'${path}'`).join(', ')}], header = true, all_varchar = true)`;
    const [positive, other, unreadable] = (await duckdb.runAndReadAll(sql)).getRows()[0] ?? [];
    return { positive: Number(positive), other: Number(other), unreadable: Number(unreadable) };
  } finally {
    duckdb.closeAll();
    await rm(dir, { recursive: true, force: true });
  }
}
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
    const loads = await harness.warehouse.query<{ table_name: string; row_count: string }>('SELECT table_name, row_count FROM etl_state.loads WHERE run_id = $1 ORDER BY loaded_at', [manifest.runId]);
    expect(loads.rows.map((row) => row.table_name).at(-1)).toBe('sales');
    // A first load records the rows it wrote: the target's own count.
    const salesFact = await harness.warehouse.query<{ n: string }>('SELECT count(*) AS n FROM analytics.sales_fact');
    expect(loads.rows.find((row) => row.table_name === 'sales')?.row_count).toBe(salesFact.rows[0]?.n);

    // Product returns from the landing files: good rows loaded, the negative ones rejected, the malformed one set
    // aside with its file and line, the wrong-schema file quarantined.
    const expectedReturns = await countReturns();
    const returns = manifest.tables.find((table) => table.table === 'returns');
    expect(returns).toMatchObject({ loadedRows: expectedReturns.positive, rejectedByRule: { non_positive_amount: expectedReturns.other, malformed_row: expectedReturns.unreadable }, files: { read: 3, quarantined: 1 } });
    const loadedReturns = await harness.warehouse.query<{ n: string }>('SELECT count(*) AS n FROM analytics.returns WHERE amount > 0');
    expect(Number(loadedReturns.rows[0]?.n)).toBe(expectedReturns.positive);

    const padded = await harness.warehouse.query<{ n: string }>(
      "SELECT count(*) AS n FROM analytics.customer_dim WHERE first_name <> upper(trim(first_name)) OR email !~ '@.*\\.'",
    );
    expect(Number(padded.rows[0]?.n)).toBe(0);
  });

  it('leaves the warehouse unchanged when the same run happens again', async () => {
    const before = await compareWarehouse(harness.source, harness.warehouse);
    const manifest = await harness.run(pipeline);
    expect(manifest.tables.map((table) => table.extractedRows)).toEqual([0, 0, 0, 0]);
    expect(await compareWarehouse(harness.source, harness.warehouse)).toEqual(before);
  });

  it('moves only changed and new rows on the next incremental run, applying updates in place', async () => {
    const changes = await changeDemoData({ pool: harness.source, updateFraction: 0.01, insertRows: 500, seed: 7 });
    expect(changes.inserted).toBe(500);
    const manifest = await harness.run(pipeline, '2026-01-16');
    const extracted = Object.fromEntries(manifest.tables.map((table) => [table.table, table.extractedRows]));
    expect(extracted).toEqual({ customers: changes.updated.customers, products: changes.updated.products, sales: changes.updated.sales + changes.inserted, returns: 0 });
    await expectWarehouseEqualsSource();
    const duplicates = await harness.warehouse.query<{ n: string }>('SELECT count(*) - count(DISTINCT sale_id) AS n FROM analytics.sales_fact');
    expect(Number(duplicates.rows[0]?.n)).toBe(0);
  });
});
