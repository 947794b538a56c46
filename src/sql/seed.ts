import { quoteIdent, quoteLiteral, quoteQualified } from './quote';
import { requireInteger } from './seed-common';

/** The schema the demo source lives in; the demo pipeline extracts raw.customers, raw.products and raw.sales. */
export const RAW_SCHEMA = 'raw';

/** The demo tables, dimensions before facts. */
export const RAW_TABLES = ['customers', 'products', 'sales'] as const;
export type RawTable = (typeof RAW_TABLES)[number];

/** The schema-qualified, quoted name of a demo table: "raw"."sales". */
export function rawTable(table: RawTable): string {
  return quoteQualified(`${RAW_SCHEMA}.${table}`);
}

/** Drops the demo schema and everything in it, then creates it empty. */
export function recreateRawSchema(): string[] {
  return [`DROP SCHEMA IF EXISTS ${quoteIdent(RAW_SCHEMA)} CASCADE`, `CREATE SCHEMA ${quoteIdent(RAW_SCHEMA)}`];
}

/**
 * The demo tables without keys or indexes: loading into bare heaps and building indexes afterwards is several
 * times faster than maintaining them row by row. They are ordinary logged tables because logical replication
 * publishes them later.
 */
export function createRawTables(): string[] {
  return [
    `CREATE TABLE ${rawTable('customers')} (customer_id bigint NOT NULL, first_name text, last_name text, email text,
  region text, signup_date date, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`,
    `CREATE TABLE ${rawTable('products')} (product_id bigint NOT NULL, product_name text, category text,
  unit_price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`,
    `CREATE TABLE ${rawTable('sales')} (id bigint NOT NULL, sale_id bigint, customer_id bigint, product_id bigint NOT NULL,
  quantity integer NOT NULL, unit_price numeric(10,2) NOT NULL, amount numeric(12,2) NOT NULL, sale_ts timestamptz NOT NULL,
  region text NOT NULL, channel text NOT NULL, updated_at timestamptz NOT NULL)`,
  ];
}

// The default maintenance_work_mem (64MB) makes a 10M-row index build sort on disk. SET LOCAL lasts until the
// end of the statement string's implicit transaction, so the caller's pooled session keeps its own setting.
function withSortMemory(statement: string): string {
  return `SET LOCAL maintenance_work_mem = '512MB'; ${statement}`;
}

/** Primary key and watermark index of a dimension table; it must be keyed before sales can reference it. */
export function indexDimension(input: { table: 'customers' | 'products' }): string[] {
  const key = input.table === 'customers' ? 'customer_id' : 'product_id';
  return [
    withSortMemory(`ALTER TABLE ${rawTable(input.table)} ADD CONSTRAINT ${quoteIdent(`${input.table}_pkey`)} PRIMARY KEY (${quoteIdent(key)})`),
    withSortMemory(`CREATE INDEX ${quoteIdent(`${input.table}_updated_at_idx`)} ON ${rawTable(input.table)} (${quoteIdent('updated_at')})`),
  ];
}

/**
 * The two sales index builds; they take share locks only, so they can run side by side on two connections.
 * The unique index becomes the primary key in keySales.
 */
export function indexSales(): string[] {
  return [
    withSortMemory(`CREATE UNIQUE INDEX ${quoteIdent('sales_pkey')} ON ${rawTable('sales')} (${quoteIdent('id')})`),
    withSortMemory(`CREATE INDEX ${quoteIdent('sales_updated_at_idx')} ON ${rawTable('sales')} (${quoteIdent('updated_at')})`),
  ];
}

/** Promotes the unique index to the primary key and adds the product foreign key (customer ids may dangle). */
export function keySales(): string[] {
  return [
    `ALTER TABLE ${rawTable('sales')} ADD CONSTRAINT ${quoteIdent('sales_pkey')} PRIMARY KEY USING INDEX ${quoteIdent('sales_pkey')}`,
    `ALTER TABLE ${rawTable('sales')} ADD CONSTRAINT ${quoteIdent('sales_product_id_fkey')} FOREIGN KEY (${quoteIdent('product_id')})
  REFERENCES ${rawTable('products')} (${quoteIdent('product_id')})`,
  ];
}

/**
 * Waits for, then takes, the lock every demo-data writer holds, so two seeds against one database (say, two test
 * runs sharing a local stack) take turns instead of dropping each other's tables mid-load.
 */
export function lockDemoData(input: { scope: 'session' | 'transaction' }): string {
  const fn = input.scope === 'session' ? 'pg_advisory_lock' : 'pg_advisory_xact_lock';
  return `SELECT ${fn}(hashtext(${quoteLiteral('temporal-etl demo data')}))`;
}

/** Refreshes planner statistics after the bulk load. */
export function analyzeRawTables(): string {
  return `ANALYZE ${RAW_TABLES.map(rawTable).join(', ')}`;
}

/** True when raw.sales exists; to_regclass returns NULL rather than failing for a missing table. */
export function selectSalesExists(): string {
  return `SELECT to_regclass(${quoteLiteral(`${RAW_SCHEMA}.sales`)}) IS NOT NULL AS exists`;
}

/** What new rows must lie above: the highest sale id and sale_id, and how many customers and products exist. */
export function selectDemoBounds(): string {
  return `SELECT (SELECT coalesce(max(id), 0) FROM ${rawTable('sales')}) AS max_id,
  (SELECT coalesce(max(sale_id), 0) FROM ${rawTable('sales')}) AS max_sale_id,
  (SELECT coalesce(max(customer_id), 0) FROM ${rawTable('customers')}) AS customers,
  (SELECT coalesce(max(product_id), 0) FROM ${rawTable('products')}) AS products`;
}

/** True when raw.sales has at least one row (run only after selectSalesExists). */
export function selectSalesHasRows(): string {
  return `SELECT EXISTS (SELECT 1 FROM ${rawTable('sales')}) AS exists`;
}

/** The sizes the demo tables need for rows sales: customers = max(100, rows/20), products = max(50, rows/1000). */
export function sizeDemoTables(input: { rows: number }): { customers: number; products: number; sales: number } {
  const rows = requireInteger({ name: 'rows', value: input.rows, min: 1 });
  return { customers: Math.max(100, Math.floor(rows / 20)), products: Math.max(50, Math.floor(rows / 1000)), sales: rows };
}
