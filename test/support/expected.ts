import type { Pool } from 'pg';

/**
 * The demo pipeline's documented rules, written again independently in plain Postgres SQL over the source,
 * so a test can compare the warehouse with what the rules say it must hold. Each query returns `k` (the
 * key) and `r` (the row as canonical text); fingerprints compare row counts and an md5 over all rows.
 * A reference counts only rows its table accepts: a sale of a product with a negative price is unknown_product.
 */
const EMAIL = `'^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$'`;

export const EXPECTED = {
  customers: `
    SELECT customer_id AS k, concat_ws('|', customer_id, upper(trim(first_name)), upper(trim(last_name)),
      CASE WHEN lower(trim(email)) ~ ${EMAIL} THEN lower(trim(email)) END,
      coalesce(trim(region), 'UNKNOWN'), signup_date, created_at, updated_at) AS r
    FROM raw.customers`,
  products: `
    SELECT product_id AS k, concat_ws('|', product_id, trim(product_name), coalesce(trim(category), 'UNCATEGORIZED'), unit_price, created_at, updated_at) AS r
    FROM raw.products WHERE unit_price >= 0`,
  sales: `
    WITH ranked AS (
      SELECT *, row_number() OVER (PARTITION BY sale_id ORDER BY updated_at DESC, id DESC) AS rn
      FROM raw.sales WHERE sale_id IS NOT NULL AND customer_id IS NOT NULL)
    SELECT sale_id AS k, concat_ws('|', sale_id, customer_id, product_id, (sale_ts AT TIME ZONE 'UTC')::date, sale_ts, region, channel,
      quantity, unit_price, amount, updated_at) AS r
    FROM ranked
    WHERE rn = 1 AND quantity >= 0
      AND customer_id IN (SELECT customer_id FROM raw.customers) AND product_id IN (SELECT product_id FROM raw.products WHERE unit_price >= 0)`,
};

export const ACTUAL = {
  customers: `SELECT customer_id AS k, concat_ws('|', customer_id, first_name, last_name, email, region, signup_date, created_at, updated_at) AS r FROM analytics.customer_dim`,
  products: `SELECT product_id AS k, concat_ws('|', product_id, product_name, category, unit_price, created_at, updated_at) AS r FROM analytics.product_dim`,
  sales: `SELECT sale_id AS k, concat_ws('|', sale_id, customer_id, product_id, sale_date, sale_ts, region, channel, quantity, unit_price, amount, updated_at) AS r FROM analytics.sales_fact`,
};

/** daily_sales from a sales relation with the columns of ACTUAL.sales / EXPECTED.sales (before canonical text). */
export const EXPECTED_DAILY = `
  WITH ranked AS (
    SELECT *, row_number() OVER (PARTITION BY sale_id ORDER BY updated_at DESC, id DESC) AS rn
    FROM raw.sales WHERE sale_id IS NOT NULL AND customer_id IS NOT NULL),
  fact AS (SELECT * FROM ranked WHERE rn = 1 AND quantity >= 0
    AND customer_id IN (SELECT customer_id FROM raw.customers) AND product_id IN (SELECT product_id FROM raw.products WHERE unit_price >= 0))
  SELECT concat_ws('|', (sale_ts AT TIME ZONE 'UTC')::date, region, product_id) AS k,
    concat_ws('|', (sale_ts AT TIME ZONE 'UTC')::date, region, product_id, count(*), sum(quantity), sum(amount)) AS r
  FROM fact GROUP BY (sale_ts AT TIME ZONE 'UTC')::date, region, product_id`;
export const ACTUAL_DAILY = `
  SELECT concat_ws('|', sale_date, region, product_id) AS k, concat_ws('|', sale_date, region, product_id, sales_count, total_quantity, total_amount) AS r
  FROM analytics.daily_sales`;

export interface Fingerprint {
  rows: number;
  md5: string;
}

/** Row count and an order-independent md5 of a k/r query, computed by Postgres in UTC. */
export async function fingerprint(pool: Pool, query: string): Promise<Fingerprint> {
  const client = await pool.connect();
  try {
    await client.query("SET TimeZone = 'UTC'");
    const result = await client.query<{ rows: string; md5: string | null }>(
      `SELECT count(*) AS rows, md5(string_agg(r, E'\\n' ORDER BY k)) AS md5 FROM (${query}) q`,
    );
    return { rows: Number(result.rows[0]?.rows ?? 0), md5: result.rows[0]?.md5 ?? '' };
  } finally {
    client.release();
  }
}

/** Fingerprints of the warehouse and of what the rules expect, per table. */
export async function compareWarehouse(source: Pool, warehouse: Pool): Promise<Record<string, { expected: Fingerprint; actual: Fingerprint }>> {
  const tables = Object.keys(EXPECTED) as (keyof typeof EXPECTED)[];
  const entries = await Promise.all(
    tables.map(async (table) => [table, { expected: await fingerprint(source, EXPECTED[table]), actual: await fingerprint(warehouse, ACTUAL[table]) }] as const),
  );
  const daily = { expected: await fingerprint(source, EXPECTED_DAILY), actual: await fingerprint(warehouse, ACTUAL_DAILY) };
  return { ...Object.fromEntries(entries), daily_sales: daily };
}
