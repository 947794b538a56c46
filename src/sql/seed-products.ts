import {
  dirtyText, hashMod, instantAfter, LAST_INSTANT, pick, quota, requireInteger, SECONDS_PER_DAY, sampleKeys, shuffledRank, textArray, type Salt,
} from './seed-common';
import { rawTable } from './seed';

const CATEGORIES = ['Electronics', 'Home', 'Garden', 'Toys', 'Sports', 'Books', 'Grocery', 'Beauty'];
// Noun k belongs to category k mod 8, so a product's name and category agree.
const NOUNS = [
  'Headphones', 'Kettle', 'Hose', 'Puzzle', 'Racket', 'Novel', 'Coffee', 'Shampoo',
  'Speaker', 'Blender', 'Rake', 'Robot', 'Helmet', 'Atlas', 'Olive Oil', 'Lipstick',
];
const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Pro', 'Smart', 'Ultra', 'Vintage', 'Mini', 'Premium'];

/**
 * Dirt rates per million products; each kind covers exactly ceil(rate × products) rows. A negative price is
 * rejected by the demo's negative_price rule, so the sales of those products are rejected as unknown_product.
 */
export const PRODUCT_DIRT = { dirtyName: 20_000, nullCategory: 10_000, negativePrice: 10_000 };

/** Loads products 1..count with their deterministic share of dirty names, missing categories and negative prices. */
export function insertProducts(input: { seed: number; count: number }): string {
  const { seed } = input;
  const count = requireInteger({ name: 'count', value: input.count, min: 1 });
  const h = (salt: Salt, modulus: number) => hashMod({ seed, key: 'p', salt, modulus });
  const dirty = quota({ count, perMillion: PRODUCT_DIRT.dirtyName });
  const nullCategory = quota({ count, perMillion: PRODUCT_DIRT.nullCategory });
  const negativePrice = quota({ count, perMillion: PRODUCT_DIRT.negativePrice });
  return `INSERT INTO ${rawTable('products')} (product_id, product_name, category, unit_price, created_at, updated_at)
SELECT product_id, CASE WHEN name_rank <= ${dirty} THEN ${dirtyText({ seed, key: 'product_id', expr: 'name' })} ELSE name END,
  CASE WHEN category_rank <= ${nullCategory} THEN NULL ELSE ${textArray(CATEGORIES)}[1 + noun % ${CATEGORIES.length}] END,
  ((CASE WHEN price_rank <= ${negativePrice} THEN -1 ELSE 1 END) * (100 + price_cents) / 100.0)::numeric(10,2), ${instantAfter('created_s')}, least(${instantAfter('created_s + updated_s')}, ${LAST_INSTANT})
FROM (
  SELECT p AS product_id, noun,
    ${pick({ seed, key: 'p', salt: 'productAdjective', values: ADJECTIVES })} || ' ' || ${textArray(NOUNS)}[1 + noun] || ' #' || p AS name,
    ${shuffledRank({ seed, key: 'p', salt: 'productNameDirt' })} AS name_rank,
    ${shuffledRank({ seed, key: 'p', salt: 'categoryNull' })} AS category_rank,
    ${shuffledRank({ seed, key: 'p', salt: 'negativePrice' })} AS price_rank,
    ${h('price', 49_900)} AS price_cents, ${h('productCreated', 365 * SECONDS_PER_DAY)} AS created_s,
    ${h('productUpdated', 365 * SECONDS_PER_DAY)} AS updated_s
  FROM (SELECT p, ${h('productNoun', NOUNS.length)}::int AS noun FROM generate_series(1::bigint, ${count}::bigint) AS p OFFSET 0) AS nouns
) AS base
ORDER BY product_id`;
}

/** Raises the price of ceil(perMillion/1e6 × products) seeded-chosen products by 5%, stamped now. */
export function updateProducts(input: { seed: number; perMillion: number }): string {
  const chosen = sampleKeys({ seed: input.seed, table: rawTable('products'), key: 'product_id', salt: 'changeProduct', perMillion: input.perMillion });
  return `UPDATE ${rawTable('products')} SET unit_price = round(unit_price * 1.05, 2), updated_at = now() WHERE product_id IN (${chosen})`;
}
