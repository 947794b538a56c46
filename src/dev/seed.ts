import type { Pool, PoolClient } from 'pg';
import { requireInteger } from '../sql/seed-common';
import {
  analyzeRawTables, createRawTables, indexDimension, indexSales, keySales, lockDemoData, recreateRawSchema, selectDemoBounds,
  selectSalesExists, selectSalesHasRows, sizeDemoTables,
} from '../sql/seed';
import { insertCustomers, updateCustomers } from '../sql/seed-customers';
import { insertProducts, updateProducts } from '../sql/seed-products';
import { insertSales, updateSales, type SalesBatch } from '../sql/seed-sales';

/** Rows in each demo table after seeding. */
export interface SeedCounts {
  customers: number;
  products: number;
  sales: number;
}

type Log = (message: string) => void;
type Queryable = Pick<Pool | PoolClient, 'query'>;

const DEFAULT_SEED = 42;
/** Business keys start here, so they never look like the ingest row ids beside them. */
const SALE_ID_OFFSET = 1_000_000_000;
// INSERT … SELECT runs on one core (Postgres does not parallelise inserts); splitting the sales ids over two
// connections uses both cores of a small host, nearly halving the load of 10M rows.
const LOAD_CONNECTIONS = 2;
const SPLIT_ABOVE_ROWS = 100_000;

/** Runs one statement string; a failure names the step. Returns the affected row count. */
async function run(input: { db: Queryable; sql: string; what: string }): Promise<number> {
  try {
    const result = await input.db.query(input.sql);
    return (Array.isArray(result) ? 0 : result.rowCount) ?? 0;
  } catch (error) {
    throw new Error(`${input.what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Awaits every task even when one fails, so no statement is left running on the pool; rethrows the first failure. */
async function runAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<T>).value);
}

function splitSales(input: SeedCounts & { seed: number }): SalesBatch[] {
  const { seed, customers, products, sales } = input;
  const parts = sales > SPLIT_ABOVE_ROWS ? LOAD_CONNECTIONS : 1;
  const size = Math.ceil(sales / parts);
  return Array.from({ length: parts }, (_, part) => ({
    seed, customers, products, firstId: part * size + 1, lastId: Math.min(sales, (part + 1) * size), firstOriginalId: 1,
    saleIdOffset: SALE_ID_OFFSET, stamp: 'historical' as const,
  }));
}

async function loadRawTables(input: { pool: Pool; seed: number; size: SeedCounts }): Promise<SeedCounts> {
  const { pool, seed, size } = input;
  const load = (sql: string, table: string) => run({ db: pool, sql, what: `loading raw.${table}` });
  // Sales take their unit price from raw.products by join, so products load first.
  const products = await load(insertProducts({ seed, count: size.products }), 'products');
  const sales = splitSales({ seed, ...size }).map((batch) => load(insertSales(batch), 'sales'));
  const [customers = 0, ...batches] = await runAll([load(insertCustomers({ seed, count: size.customers }), 'customers'), ...sales]);
  return { customers, products, sales: batches.reduce((sum, count) => sum + count, 0) };
}

/**
 * Drops and recreates schema `raw` with `rows` sales (and customers and products sized to match), generated
 * inside Postgres from `seed`; keys and indexes come after the load, then ANALYZE. Uses up to 4 pool connections.
 */
export async function seedDemoData(input: { pool: Pool; rows: number; seed?: number; log?: Log }): Promise<SeedCounts> {
  const { pool, seed = DEFAULT_SEED } = input;
  const size = sizeDemoTables({ rows: input.rows });
  requireInteger({ name: 'seed', value: seed });
  const lock = await pool.connect();
  try {
    await lock.query(lockDemoData({ scope: 'session' }));
    return await loadDemoData({ pool, seed, size, log: input.log ?? (() => undefined) });
  } finally {
    // Closing the connection frees the session lock; a pooled session must not keep it.
    lock.release(true);
  }
}

async function loadDemoData(input: { pool: Pool; seed: number; size: SeedCounts; log: Log }): Promise<SeedCounts> {
  const { pool, seed, size, log } = input;
  log('recreating schema raw…');
  await run({ db: pool, sql: [...recreateRawSchema(), ...createRawTables()].join(';\n'), what: 'recreating schema raw' });
  log(`loading ${size.products} products, ${size.customers} customers and ${size.sales} sales…`);
  const counts = await loadRawTables({ pool, seed, size });
  log('building keys and indexes…');
  const dimensions = [...indexDimension({ table: 'customers' }), ...indexDimension({ table: 'products' })].join(';\n');
  await runAll([
    run({ db: pool, sql: dimensions, what: 'indexing raw.customers and raw.products' }),
    ...indexSales().map((sql) => run({ db: pool, sql, what: 'indexing raw.sales' })),
  ]);
  await run({ db: pool, sql: keySales().join(';\n'), what: 'adding the keys of raw.sales' });
  log('analyzing…');
  await run({ db: pool, sql: analyzeRawTables(), what: 'analyzing schema raw' });
  return counts;
}

/** True when raw.sales exists and has rows. */
export async function hasDemoData(input: { pool: Pool }): Promise<boolean> {
  const exists = await input.pool.query<{ exists: boolean }>(selectSalesExists());
  if (exists.rows[0]?.exists !== true) return false;
  const rows = await input.pool.query<{ exists: boolean }>(selectSalesHasRows());
  return rows.rows[0]?.exists === true;
}

async function insertNewSales(input: { db: Queryable; seed: number; rows: number }): Promise<number> {
  if (input.rows === 0) return 0;
  const result = await input.db.query<Record<'max_id' | 'max_sale_id' | 'customers' | 'products', string>>(selectDemoBounds());
  const row = result.rows[0];
  if (!row || Number(row.products) === 0) throw new Error('schema raw has no demo data: run npm run seed first.');
  const [maxId, maxSaleId] = [Number(row.max_id), Number(row.max_sale_id)];
  // New rows, and the originals their duplicates repeat, lie above every existing id and sale_id.
  const sql = insertSales({
    seed: input.seed, firstId: maxId + 1, lastId: maxId + input.rows, firstOriginalId: maxId + 1, saleIdOffset: Math.max(0, maxSaleId - maxId),
    customers: Number(row.customers), products: Number(row.products), stamp: 'now',
  });
  return run({ db: input.db, sql, what: 'inserting new sales' });
}

/**
 * One transaction of source activity for incremental runs: updateFraction of the rows of each table (rounded up;
 * which rows follows from seed) get a visible change and updated_at = now(), then insertRows new sales arrive.
 */
export async function changeDemoData(input: { pool: Pool; updateFraction: number; insertRows: number; seed?: number }): Promise<{ updated: SeedCounts; inserted: number }> {
  const { seed = DEFAULT_SEED } = input;
  const fraction = input.updateFraction;
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`updateFraction must be between 0 and 1, got ${fraction}`);
  const rows = requireInteger({ name: 'insertRows', value: input.insertRows, min: 0 });
  const perMillion = Math.round(fraction * 1_000_000);
  const client = await input.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(lockDemoData({ scope: 'transaction' }));
    const update = (sql: string, table: string) => run({ db: client, sql, what: `updating raw.${table}` });
    const customers = await update(updateCustomers({ seed, perMillion }), 'customers');
    const products = await update(updateProducts({ seed, perMillion }), 'products');
    const updated = { customers, products, sales: await update(updateSales({ seed, perMillion }), 'sales') };
    const inserted = await insertNewSales({ db: client, seed, rows });
    await client.query('COMMIT');
    return { updated, inserted };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
