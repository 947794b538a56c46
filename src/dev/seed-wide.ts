import type { Pool } from 'pg';

/**
 * The bench's wide dataset: an order-lines fact table shaped like TPC-H's lineitem (19 columns of ints,
 * numerics, a float, dates, char/varchar, free text with quotes, commas, newlines and unicode, NULLs in the
 * nullable ones; composite primary key) and the orders table it references. Rows follow from their numbers,
 * so every seed of N lines is the same data.
 */
export const WIDE_SCHEMA = 'wide';
const LINES_PER_ORDER = 4;

/** DDL of the two source tables (dropped first). */
export function createWideTables(): string {
  return `DROP SCHEMA IF EXISTS ${WIDE_SCHEMA} CASCADE;
CREATE SCHEMA ${WIDE_SCHEMA};
CREATE TABLE ${WIDE_SCHEMA}.orders (
  order_id bigint PRIMARY KEY, customer_code varchar(16) NOT NULL, order_status char(1) NOT NULL,
  total_price numeric(14,2), ordered_at timestamptz NOT NULL, priority varchar(15), clerk char(15), comment text,
  updated_at timestamptz NOT NULL);
CREATE TABLE ${WIDE_SCHEMA}.order_lines (
  order_id bigint NOT NULL, line_no integer NOT NULL, part_id integer NOT NULL, supplier_id integer NOT NULL,
  quantity numeric(12,2) NOT NULL, extended_price numeric(14,2) NOT NULL, discount numeric(4,2) NOT NULL,
  tax numeric(4,2) NOT NULL, return_flag char(1) NOT NULL, line_status char(1) NOT NULL, ship_date date NOT NULL,
  commit_date date NOT NULL, receipt_date date, ship_instruct char(25) NOT NULL, ship_mode varchar(10) NOT NULL,
  weight_kg double precision, is_gift boolean NOT NULL, comment varchar(44), updated_at timestamptz NOT NULL,
  PRIMARY KEY (order_id, line_no))`;
}

/** Orders first..last, updated at `stamp` (an SQL expression) plus a per-row offset. */
export function insertOrders(input: { first: number; last: number; stamp: string }): string {
  return `INSERT INTO ${WIDE_SCHEMA}.orders
SELECT o, 'C' || lpad((o % 150000)::text, 9, '0'), (ARRAY['F','O','P'])[o % 3 + 1], round(((o * 7919) % 50000000) / 100.0, 2),
  timestamptz '2025-01-01 00:00:00+00' + (o % 31536000) * interval '1 second',
  CASE WHEN o % 11 = 0 THEN NULL ELSE (ARRAY['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'])[o % 5 + 1] END,
  'Clerk#' || lpad((o % 1000)::text, 9, '0'),
  CASE WHEN o % 17 = 0 THEN NULL WHEN o % 13 = 0 THEN E'say "hi", then; leave\\nünïcødé ✓ \\\\ ''q''' ELSE md5(o::text) END,
  ${input.stamp} + (o % 86400) * interval '1 millisecond'
FROM generate_series(${input.first}::bigint, ${input.last}::bigint) o`;
}

/** The lines of orders first..last (LINES_PER_ORDER each). */
export function insertLines(input: { firstOrder: number; lastOrder: number; stamp: string }): string {
  const first = (input.firstOrder - 1) * LINES_PER_ORDER + 1;
  const last = input.lastOrder * LINES_PER_ORDER;
  return `INSERT INTO ${WIDE_SCHEMA}.order_lines
SELECT o, l, (i * 31) % 200000 + 1, (i * 17) % 10000 + 1, (i % 50) + 1, round(((i * 104729) % 10000000) / 100.0, 2),
  ((i % 11) / 100.0)::numeric(4,2), ((i % 9) / 100.0)::numeric(4,2), (ARRAY['A','N','R'])[i % 3 + 1], (ARRAY['F','O'])[i % 2 + 1],
  date '2025-01-01' + (i % 2500)::int, date '2025-01-01' + (i % 2500)::int + 30,
  CASE WHEN i % 23 = 0 THEN NULL ELSE date '2025-01-01' + (i % 2500)::int + (i % 40)::int END,
  (ARRAY['DELIVER IN PERSON','COLLECT COD','NONE','TAKE BACK RETURN'])[i % 4 + 1], (ARRAY['AIR','MAIL','SHIP','TRUCK','RAIL','FOB','REG AIR'])[i % 7 + 1],
  CASE WHEN i % 29 = 0 THEN NULL ELSE ((i * 7) % 100000) / 1000.0 + 0.125 END, i % 19 = 0,
  CASE WHEN i % 31 = 0 THEN NULL WHEN i % 37 = 0 THEN E'tab\\there, "quoted", ümlaut' ELSE substr(md5(i::text), 1, 20 + (i % 24)::int) END,
  ${input.stamp} + (i % 86400) * interval '1 millisecond'
FROM generate_series(${first}::bigint, ${last}::bigint) i, LATERAL (SELECT (i - 1) / ${LINES_PER_ORDER} + 1 AS o, ((i - 1) % ${LINES_PER_ORDER} + 1)::int AS l) k`;
}

const SEEDED_AT = "timestamptz '2026-01-01 00:00:00+00'";

/** Creates the wide tables with `rows` order lines (and a quarter as many orders). */
export async function seedWideData(input: { pool: Pool; rows: number; log?: (message: string) => void }): Promise<{ orders: number; lines: number }> {
  const orders = Math.ceil(input.rows / LINES_PER_ORDER);
  await input.pool.query(createWideTables());
  input.log?.(`seeding ${orders} orders and ${orders * LINES_PER_ORDER} order lines…`);
  await input.pool.query(insertOrders({ first: 1, last: orders, stamp: SEEDED_AT }));
  await input.pool.query(insertLines({ firstOrder: 1, lastOrder: orders, stamp: SEEDED_AT }));
  // As any source read incrementally should be: the plan and the extract find the window by its watermark.
  for (const table of ['orders', 'order_lines']) await input.pool.query(`CREATE INDEX ON ${WIDE_SCHEMA}.${table} (updated_at)`);
  await input.pool.query(`VACUUM ANALYZE ${WIDE_SCHEMA}.orders`);
  await input.pool.query(`VACUUM ANALYZE ${WIDE_SCHEMA}.order_lines`);
  return { orders, lines: orders * LINES_PER_ORDER };
}

/** A night of changes: 1% of lines (and orders) updated, 0.5% new lines on new orders, 0.1% of lines deleted. */
export async function changeWideData(input: { pool: Pool }): Promise<{ updated: number; inserted: number; deleted: number }> {
  const client = await input.pool.connect();
  try {
    await client.query('BEGIN');
    const bound = await client.query<{ n: string }>(`SELECT coalesce(max(order_id), 0)::text AS n FROM ${WIDE_SCHEMA}.orders`);
    const maxOrder = Number(bound.rows[0]?.n ?? 0);
    const newOrders = Math.max(1, Math.round(maxOrder * 0.005)); // 0.5% of the lines, on new orders
    const orders = await client.query(`UPDATE ${WIDE_SCHEMA}.orders SET order_status = 'F', updated_at = now() WHERE order_id % 100 = 3`);
    const lines = await client.query(`UPDATE ${WIDE_SCHEMA}.order_lines SET quantity = quantity + 1, line_status = 'F', updated_at = now() WHERE (order_id * ${LINES_PER_ORDER} + line_no) % 100 = 5`);
    await client.query(insertOrders({ first: maxOrder + 1, last: maxOrder + newOrders, stamp: 'now()' }));
    const inserted = await client.query(insertLines({ firstOrder: maxOrder + 1, lastOrder: maxOrder + newOrders, stamp: 'now()' }));
    const deleted = await client.query(`DELETE FROM ${WIDE_SCHEMA}.order_lines WHERE (order_id * ${LINES_PER_ORDER} + line_no) % 1000 = 7`);
    await client.query('COMMIT');
    return { updated: (orders.rowCount ?? 0) + (lines.rowCount ?? 0), inserted: (inserted.rowCount ?? 0) + newOrders, deleted: deleted.rowCount ?? 0 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
