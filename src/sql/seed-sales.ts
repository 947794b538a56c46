import {
  chance, CHANNELS, hashMod, instantAfter, PER_MILLION, pick, REGIONS, requireInteger, sampleKeys, SECONDS_PER_DAY, type Salt,
} from './seed-common';
import { rawTable } from './seed';

/** Dirt rates per million sales rows. */
export const SALES_DIRT = { duplicate: 10_000, nullSaleId: 5_000, negativeQuantity: 5_000, unknownCustomer: 5_000, nullCustomer: 2_000 };

// A row is a duplicate when it is a candidate and its original is not; with candidates at rate r that is
// r(1 - r) of rows, so r = 1.0102% yields the 1% asked for.
const DUPLICATE_CANDIDATE = 10_102;
const LAST_SECOND = 731 * SECONDS_PER_DAY - 1;

/** One batch of sales rows: ids firstId..lastId, generated from seed. */
export interface SalesBatch {
  seed: number;
  firstId: number;
  lastId: number;
  /** Duplicates repeat only rows with an id at least this, which are in this load and so still as generated. */
  firstOriginalId: number;
  /** A row's sale_id is saleIdOffset plus the id of the row it repeats (its own id when it is no duplicate). */
  saleIdOffset: number;
  /** Customers 1..customers exist; others are unknown. Products 1..products exist. */
  customers: number;
  products: number;
  /** 'historical': updated_at in 2024-2025; 'now': now(), and clock_timestamp() (later) for duplicates. */
  stamp: 'historical' | 'now';
}

function validate(batch: SalesBatch): SalesBatch {
  const check = (name: keyof SalesBatch, min: number) => requireInteger({ name, value: batch[name] as number, min });
  check('firstId', 1);
  check('lastId', batch.firstId);
  for (const name of ['firstOriginalId', 'customers', 'products'] as const) check(name, 1);
  check('saleIdOffset', 0);
  return batch;
}

// Each row picks a candidate original up to 1000 rows back; `original` is NULL unless the row is a duplicate.
function originals(batch: SalesBatch): string {
  const { seed, firstOriginalId: first } = batch;
  const back = hashMod({ seed, key: 'id', salt: 'duplicateOffset', modulus: `greatest(1, least(1000, id - ${first}))` });
  const original = `(id - 1 - ${back})`;
  const candidate = (key: string) => chance({ seed, key, salt: 'duplicate', perMillion: DUPLICATE_CANDIDATE });
  return `SELECT id, CASE WHEN ${candidate('id')} AND ${original} >= ${first} AND NOT ${candidate(original)} THEN ${original} END AS original
    FROM generate_series(${batch.firstId}::bigint, ${batch.lastId}::bigint) AS id OFFSET 0`;
}

function customerId(batch: SalesBatch): string {
  const { seed, customers } = batch;
  const { nullCustomer, unknownCustomer } = SALES_DIRT;
  const bucket = hashMod({ seed, key: 'b', salt: 'saleCustomerDirt', modulus: PER_MILLION });
  const offset = hashMod({ seed, key: 'b', salt: 'saleCustomer', modulus: customers });
  return `CASE WHEN ${bucket} < ${nullCustomer} THEN NULL WHEN ${bucket} < ${nullCustomer + unknownCustomer} THEN ${customers + 1} + ${offset}
    ELSE 1 + ${offset} END`;
}

// A duplicate repeats its original's sale (key, customer, product, time, store) with a corrected quantity:
// 1 + (q + k) % 10 with k in 0..8 never equals the original's q in 1..10.
function attributes(batch: SalesBatch): string {
  const { seed } = batch;
  const h = (key: string, salt: Salt, modulus: number) => hashMod({ seed, key, salt, modulus });
  const quantity = (key: string) => `(1 + ${h(key, 'quantity', 10)})`;
  const magnitude = `CASE WHEN original IS NULL THEN ${quantity('id')} ELSE 1 + (${quantity('original')} + ${h('id', 'duplicateQuantity', 9)}) % 10 END`;
  const negative = chance({ seed, key: 'id', salt: 'negativeQuantity', perMillion: SALES_DIRT.negativeQuantity });
  const nullSaleId = chance({ seed, key: 'b', salt: 'saleIdNull', perMillion: SALES_DIRT.nullSaleId });
  return `SELECT id, original IS NOT NULL AS is_dup, CASE WHEN ${nullSaleId} THEN NULL ELSE ${batch.saleIdOffset} + b END AS sale_id,
    ${customerId(batch)} AS customer_id, 1 + ${h('b', 'saleProduct', batch.products)} AS product_id,
    ((CASE WHEN ${negative} THEN -1 ELSE 1 END) * ${magnitude})::int AS quantity,
    ${h('b', 'saleTs', LAST_SECOND + 1)} AS sale_s, ${h('b', 'saleUpdated', 3600)} AS updated_s, ${h('id', 'duplicateDelay', SECONDS_PER_DAY)} AS delay_s,
    ${pick({ seed, key: 'b', salt: 'saleRegion', values: REGIONS })} AS region, ${pick({ seed, key: 'b', salt: 'channel', values: CHANNELS })} AS channel
  FROM (SELECT id, original, coalesce(original, id) AS b FROM (${originals(batch)}) AS o) AS r
  OFFSET 0`;
}

// Historical: an hour or less after the sale, capped an hour before the end of 2025; a duplicate (the POS
// re-sending a corrected row) comes 1 minute to a day after its original, capped at the end of 2025.
function updatedAt(stamp: SalesBatch['stamp']): string {
  if (stamp === 'now') return 'CASE WHEN s.is_dup THEN clock_timestamp() ELSE now() END';
  const first = `least(s.sale_s + s.updated_s, ${LAST_SECOND - 3600})`;
  return instantAfter(`CASE WHEN s.is_dup THEN least(${first} + 60 + s.delay_s, ${LAST_SECOND}) ELSE ${first} END`);
}

/**
 * Generates one batch of sales inside Postgres (no rows travel through the client). Every choice hashes the
 * row's id, or for a duplicate its original's id, so the same seed always gives the same rows.
 */
export function insertSales(input: SalesBatch): string {
  const batch = validate(input);
  return `INSERT INTO ${rawTable('sales')} (id, sale_id, customer_id, product_id, quantity, unit_price, amount, sale_ts, region, channel, updated_at)
SELECT s.id, s.sale_id, s.customer_id, s.product_id, s.quantity, p.unit_price, (s.quantity * p.unit_price)::numeric(12,2),
  ${instantAfter('s.sale_s')}, s.region, s.channel, ${updatedAt(batch.stamp)}
FROM (${attributes(batch)}) AS s
JOIN ${rawTable('products')} AS p ON p.product_id = s.product_id`;
}

/** Corrects the quantity (and amount) of ceil(perMillion/1e6 × sales) seeded-chosen sales, stamped now. */
export function updateSales(input: { seed: number; perMillion: number }): string {
  const chosen = sampleKeys({ seed: input.seed, table: rawTable('sales'), key: 'id', salt: 'changeSale', perMillion: input.perMillion });
  const quantity = 'CASE WHEN quantity < 0 THEN quantity - 1 ELSE quantity + 1 END';
  return `UPDATE ${rawTable('sales')} SET quantity = ${quantity}, amount = (${quantity}) * unit_price, updated_at = now() WHERE id IN (${chosen})`;
}
