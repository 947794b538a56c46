import { quoteLiteral } from './quote';

/** Store and customer regions of the demo source. */
export const REGIONS = ['NORTH', 'SOUTH', 'EAST', 'WEST', 'CENTRAL'] as const;

/** Sales channels of the demo source. */
export const CHANNELS = ['online', 'store', 'phone'] as const;

/** Demo timestamps lie in 2024-2025 (UTC), so they are always in the past. */
export const FIRST_INSTANT = "timestamptz '2024-01-01 00:00:00+00'";
export const LAST_INSTANT = "timestamptz '2025-12-31 23:59:59+00'";
export const SECONDS_PER_DAY = 86_400;

/** Proportions are expressed per million rows. */
export const PER_MILLION = 1_000_000;

// One salt per independent choice: the same key hashed with different salts gives unrelated values, so
// no two kinds of dirt land on the same rows by construction.
const SALTS = {
  firstName: 1, lastName: 2, firstNameDirt: 3, lastNameDirt: 4, nameStyle: 5, email: 6, emailDomain: 7,
  customerRegion: 8, customerRegionNull: 9, customerCreated: 10, customerUpdated: 11,
  productAdjective: 20, productNoun: 21, productNameDirt: 22, categoryNull: 23, price: 24, productCreated: 25,
  productUpdated: 26, negativePrice: 27,
  duplicate: 40, duplicateOffset: 41, duplicateQuantity: 42, duplicateDelay: 43, saleIdNull: 44, saleCustomer: 45,
  saleCustomerDirt: 46, saleProduct: 47, quantity: 48, negativeQuantity: 49, saleTs: 50, saleUpdated: 51,
  saleRegion: 52, channel: 53,
  changeCustomer: 60, changeRegion: 61, changeProduct: 62, changeSale: 63,
} as const;

export type Salt = keyof typeof SALTS;

const INT8_MAX = '9223372036854775807';

/** Returns value when it is an integer of at least min; seeds and sizes are spliced into SQL, so check them. */
export function requireInteger(input: { name: string; value: number; min?: number }): number {
  const { name, value, min = Number.MIN_SAFE_INTEGER } = input;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * The 64-bit hash of key as SQL. hashint8extended is Postgres's stable hash (the one hash partitioning relies on),
 * so a given seed always yields the same rows, unlike random(); each salt gives an unrelated stream.
 */
export function hash(input: { seed: number; key: string; salt: Salt }): string {
  const hashSeed = BigInt(requireInteger({ name: 'seed', value: input.seed })) * 1000n + BigInt(SALTS[input.salt]);
  return `hashint8extended(${input.key}, ${hashSeed})`;
}

/** `hash(key) mod modulus` as SQL, in 0..modulus-1 (the sign bit is masked off first). */
export function hashMod(input: { seed: number; key: string; salt: Salt; modulus: number | string }): string {
  return `((${hash(input)} & ${INT8_MAX}) % ${input.modulus})`;
}

/**
 * The row's rank, 1..n, in a seeded shuffle of all rows. Dimension tables take their dirt from the first ranks,
 * so a table of 50 products has exactly ceil(2% of 50) = 1 dirty name rather than 0, 1 or 2 by chance.
 */
export function shuffledRank(input: { seed: number; key: string; salt: Salt }): string {
  return `row_number() OVER (ORDER BY ${hash(input)}, ${input.key})`;
}

/** How many of count rows a rate per million covers, rounded up so that no kind of dirt is missing. */
export function quota(input: { count: number; perMillion: number }): number {
  const perMillion = requireInteger({ name: 'perMillion', value: input.perMillion, min: 0 });
  return Math.ceil((requireInteger({ name: 'count', value: input.count, min: 0 }) * perMillion) / PER_MILLION);
}

/** Keys of exactly ceil(perMillion/1e6 × rows) rows of table, the first ranks of a seeded shuffle. */
export function sampleKeys(input: { seed: number; table: string; key: string; salt: Salt; perMillion: number }): string {
  const perMillion = requireInteger({ name: 'perMillion', value: input.perMillion, min: 0 });
  const limit = `(SELECT ceil(count(*) * ${perMillion} / ${PER_MILLION}.0)::bigint FROM ${input.table})`;
  return `SELECT ${input.key} FROM ${input.table} ORDER BY ${hash(input)}, ${input.key} LIMIT ${limit}`;
}

/** A boolean SQL expression true for about perMillion rows in a million. */
export function chance(input: { seed: number; key: string; salt: Salt; perMillion: number }): string {
  const perMillion = requireInteger({ name: 'perMillion', value: input.perMillion, min: 0 });
  return `${hashMod({ ...input, modulus: PER_MILLION })} < ${perMillion}`;
}

/** One of values (as SQL text), chosen by hash. */
export function pick(input: { seed: number; key: string; salt: Salt; values: readonly string[] }): string {
  return `${textArray(input.values)}[1 + ${hashMod({ ...input, modulus: input.values.length })}::int]`;
}

/** An SQL text[] literal of the given values. */
export function textArray(values: readonly string[]): string {
  return `(ARRAY[${values.map(quoteLiteral).join(', ')}]::text[])`;
}

/** The text of expr as a careless clerk typed it: padded with spaces, lower or inverted case ('  jOHN '). */
export function dirtyText(input: { seed: number; key: string; expr: string }): string {
  const style = hashMod({ ...input, salt: 'nameStyle', modulus: 2 });
  const inverted = `lower(left(${input.expr}, 1)) || upper(substr(${input.expr}, 2))`;
  return `CASE WHEN ${style} = 0 THEN '  ' || lower(${input.expr}) || ' ' ELSE ' ' || ${inverted} || '  ' END`;
}

/** FIRST_INSTANT plus an SQL number of seconds. */
export function instantAfter(seconds: string): string {
  return `${FIRST_INSTANT} + (${seconds}) * interval '1 second'`;
}
