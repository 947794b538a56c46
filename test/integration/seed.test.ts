import { Pool } from 'pg';
import { loadSettings } from '../../src/config/settings';
import { changeDemoData, hasDemoData, seedDemoData } from '../../src/dev/seed';

const ROWS = 20_000;
const VALID_EMAIL = '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$';
const KEYS = { customers: 'customer_id', products: 'product_id', sales: 'id' } as const;

let pool: Pool;
beforeAll(() => {
  pool = new Pool({ connectionString: loadSettings().postgres.sourceUrl, max: 4 });
});
afterAll(() => pool.end());

async function one<T>(sql: string, values: unknown[] = []): Promise<T> {
  const result = await pool.query(sql, values);
  return result.rows[0] as T;
}

/** One md5 per table over every row in key order: equal fingerprints mean equal contents. */
async function fingerprints(): Promise<Record<keyof typeof KEYS, string>> {
  const entries = await Promise.all(
    Object.entries(KEYS).map(async ([table, key]) => {
      const row = await one<{ md5: string }>(`select md5(string_agg(t::text, ',' order by ${key})) as md5 from raw.${table} t`);
      return [table, row.md5] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<keyof typeof KEYS, string>;
}

/** Asserts count/total is within 3 binomial standard deviations of rate (and the dirt exists at all). */
function expectShare(input: { count: number | string; total: number; rate: number }): void {
  const count = Number(input.count);
  const sigma = Math.sqrt(input.total * input.rate * (1 - input.rate));
  expect(count).toBeGreaterThan(0);
  expect(Math.abs(count - input.total * input.rate)).toBeLessThanOrEqual(3 * sigma + 1);
}

describe('demo source data', () => {
  it('reports no demo data when schema raw is missing, then seeds the sizes asked for', async () => {
    await pool.query('drop schema if exists raw cascade');
    await expect(hasDemoData({ pool })).resolves.toBe(false);
    await expect(seedDemoData({ pool, rows: ROWS })).resolves.toEqual({ customers: 1000, products: 50, sales: ROWS });
    await expect(hasDemoData({ pool })).resolves.toBe(true);
    const counts = await one<Record<string, string>>(
      'select (select count(*) from raw.customers) c, (select count(*) from raw.products) p, (select count(*) from raw.sales) s',
    );
    expect(counts).toEqual({ c: '1000', p: '50', s: String(ROWS) });
  });

  it('builds logged tables with their keys and watermark indexes', async () => {
    const indexes = await pool.query<{ indexname: string }>("select indexname from pg_indexes where schemaname = 'raw' order by 1");
    expect(indexes.rows.map((row) => row.indexname)).toEqual([
      'customers_pkey', 'customers_updated_at_idx', 'products_pkey', 'products_updated_at_idx', 'sales_pkey', 'sales_updated_at_idx',
    ]);
    const logged = await one<{ n: string }>("select count(*) n from pg_class where relnamespace = 'raw'::regnamespace and relkind = 'r' and relpersistence = 'p'");
    expect(logged.n).toBe('3');
    const fk = await one<{ n: string }>("select count(*) n from pg_constraint where conname = 'sales_product_id_fkey' and contype = 'f'");
    expect(fk.n).toBe('1');
  });

  it('dirties customers and products in their exact proportions', async () => {
    const c = await one<Record<string, string>>(`select count(*) filter (where first_name <> btrim(first_name)) first, count(*) filter (where last_name <> btrim(last_name)) last,
      count(*) filter (where email !~ $1) invalid, count(*) filter (where email is null) no_email, count(*) filter (where region is null) no_region,
      count(*) filter (where email ~ $1 and first_name = btrim(first_name)) clean from raw.customers`, [VALID_EMAIL]);
    expect(c).toMatchObject({ first: '50', last: '50', invalid: '30', no_email: '10', no_region: '10' });
    expect(Number(c.clean)).toBeGreaterThan(850);
    const p = await one<Record<string, string>>(`select count(*) filter (where product_name <> btrim(product_name) and product_name <> initcap(product_name)) dirty,
      count(*) filter (where category is null) no_category, count(*) filter (where unit_price < 0) negative_price from raw.products`);
    expect(p).toEqual({ dirty: '1', no_category: '1', negative_price: '1' });
  });

  it('dirties sales in roughly their proportions', async () => {
    const s = await one<Record<string, string>>(`select count(sale_id) - count(distinct sale_id) duplicates, count(*) filter (where sale_id is null) no_sale_id,
      count(*) filter (where quantity < 0) negative, count(*) filter (where customer_id is null) no_customer,
      count(*) filter (where customer_id not in (select customer_id from raw.customers)) unknown_customer,
      count(*) filter (where amount <> quantity * unit_price or updated_at >= now() or sale_ts < '2024-01-01Z' or sale_ts >= '2026-01-01Z') wrong from raw.sales`);
    expect(s.wrong).toBe('0');
    const rates = { duplicates: 0.01, no_sale_id: 0.005, negative: 0.005, unknown_customer: 0.005, no_customer: 0.002 };
    for (const [kind, rate] of Object.entries(rates)) expectShare({ count: s[kind] ?? 0, total: ROWS, rate });
  });

  it('repeats the sale of a duplicate with a corrected quantity and a later updated_at', async () => {
    const d = await one<{ duplicates: string; wrong: string }>(`select count(*) duplicates, count(*) filter (where not (customer_id is not distinct from o.c
        and product_id = o.p and sale_ts = o.t and updated_at > o.u and quantity <> o.q and amount = quantity * unit_price)) wrong
      from (select s.*, row_number() over w n,
        first_value(customer_id) over w c, first_value(product_id) over w p, first_value(sale_ts) over w t, first_value(updated_at) over w u,
        first_value(quantity) over w q from raw.sales s where sale_id is not null window w as (partition by sale_id order by id)) o where n > 1`);
    expect(Number(d.duplicates)).toBeGreaterThan(100);
    expect(d.wrong).toBe('0');
  });

  it('gives the same rows for the same seed and different rows for another', async () => {
    const first = await fingerprints();
    // Two seeds at once take turns on the demo-data lock instead of dropping each other's tables mid-load.
    await Promise.all([seedDemoData({ pool, rows: ROWS, seed: 42 }), seedDemoData({ pool, rows: ROWS, seed: 42 })]);
    expect(await fingerprints()).toEqual(first);
    await seedDemoData({ pool, rows: ROWS, seed: 7 });
    const other = await fingerprints();
    for (const table of Object.keys(KEYS) as (keyof typeof KEYS)[]) expect(other[table]).not.toBe(first[table]);
  });

  it('changes 1% of each table (rounded up) and inserts new sales above the watermark', async () => {
    await seedDemoData({ pool, rows: ROWS });
    const before = await one<{ at: Date; id: string; sale_id: string }>(`select greatest((select max(updated_at) from raw.customers),
      (select max(updated_at) from raw.products), max(updated_at)) at, max(id) id, max(sale_id) sale_id from raw.sales`);
    const quantities = new Map((await pool.query<{ id: string; quantity: number }>('select id, quantity from raw.sales')).rows.map((r) => [r.id, r.quantity]));
    const changes = await changeDemoData({ pool, updateFraction: 0.01, insertRows: 5000 });
    expect(changes).toEqual({ updated: { customers: 10, products: 1, sales: 200 }, inserted: 5000 });
    const changed = await pool.query<{ id: string; quantity: number }>('select id, quantity from raw.sales where updated_at > $1 and id <= $2', [before.at, before.id]);
    expect(changed.rowCount).toBe(changes.updated.sales);
    for (const row of changed.rows) expect(row.quantity).not.toBe(quantities.get(row.id));
    const added = await one<Record<string, string>>(`select count(*) n, count(*) filter (where updated_at > $1) fresh, min(sale_id) min_sale_id,
      count(sale_id) - count(distinct sale_id) duplicates, count(*) filter (where customer_id is null) no_customer from raw.sales where id > $2`, [before.at, before.id]);
    expect(added).toMatchObject({ n: '5000', fresh: '5000' });
    expect(BigInt(added.min_sale_id ?? 0)).toBeGreaterThan(BigInt(before.sale_id));
    expectShare({ count: added.duplicates ?? 0, total: 5000, rate: 0.01 });
    expectShare({ count: added.no_customer ?? 0, total: 5000, rate: 0.002 });
    const customers = await one<{ n: string }>('select count(*) n from raw.customers where updated_at > $1', [before.at]);
    expect(Number(customers.n)).toBe(changes.updated.customers);
  });
});
