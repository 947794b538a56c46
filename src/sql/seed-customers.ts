import {
  dirtyText, hashMod, instantAfter, LAST_INSTANT, pick, quota, REGIONS, requireInteger, sampleKeys, SECONDS_PER_DAY, shuffledRank,
  textArray, type Salt,
} from './seed-common';
import { rawTable } from './seed';

const FIRST_NAMES = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Barbara',
  'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Maria', 'Wei', 'Aisha', 'Carlos',
  'Yuki', 'Olga', 'Ahmed', 'Priya', 'Lucas', 'Emma',
];
const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez',
  'Lopez', 'Wilson', 'Anderson', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Chen', 'Kim', 'Nguyen', 'Patel',
  'Novak', 'Schmidt', 'Rossi', 'Silva', 'Tanaka', 'Okafor', 'Dubois',
];
const DOMAINS = ['example.com', 'mail.example.org', 'shop.example.net', 'example.co.uk'];

/** Dirt rates per million customers; each kind covers exactly ceil(rate × customers) rows. */
export const CUSTOMER_DIRT = { dirtyFirstName: 50_000, dirtyLastName: 50_000, nullEmail: 10_000, invalidEmail: 30_000, nullRegion: 10_000 };

// Emails are valid, NULL or one of three invalid shapes; one shuffle ranks them, so the kinds never overlap.
function email(input: { seed: number; count: number }): string {
  const nullEmail = quota({ count: input.count, perMillion: CUSTOMER_DIRT.nullEmail });
  const invalidEmail = quota({ count: input.count, perMillion: CUSTOMER_DIRT.invalidEmail });
  const local = `lower(first || '.' || last)`;
  return `CASE WHEN email_rank <= ${nullEmail} THEN NULL
    WHEN email_rank <= ${nullEmail + invalidEmail} THEN CASE email_rank % 3
      WHEN 0 THEN ${local} || '@' WHEN 1 THEN ${local} || '.example.com' ELSE lower(left(first, 1)) || '@' || lower(left(last, 1)) END
    ELSE ${local} || customer_id || '@' || ${pick({ seed: input.seed, key: 'customer_id', salt: 'emailDomain', values: DOMAINS })} END`;
}

function name(input: { seed: number; count: number; column: 'first' | 'last' }): string {
  const { seed, count, column } = input;
  const dirty = quota({ count, perMillion: column === 'first' ? CUSTOMER_DIRT.dirtyFirstName : CUSTOMER_DIRT.dirtyLastName });
  return `CASE WHEN ${column}_rank <= ${dirty} THEN ${dirtyText({ seed, key: 'customer_id', expr: column })} ELSE ${column} END`;
}

/** Loads customers 1..count with their deterministic share of dirty names, emails and regions. */
export function insertCustomers(input: { seed: number; count: number }): string {
  const { seed } = input;
  const count = requireInteger({ name: 'count', value: input.count, min: 1 });
  const h = (salt: Salt, modulus: number) => hashMod({ seed, key: 'c', salt, modulus });
  const rank = (salt: Salt) => shuffledRank({ seed, key: 'c', salt });
  const nullRegion = quota({ count, perMillion: CUSTOMER_DIRT.nullRegion });
  return `INSERT INTO ${rawTable('customers')} (customer_id, first_name, last_name, email, region, signup_date, created_at, updated_at)
SELECT customer_id, ${name({ seed, count, column: 'first' })}, ${name({ seed, count, column: 'last' })}, ${email({ seed, count })},
  CASE WHEN region_rank <= ${nullRegion} THEN NULL ELSE ${pick({ seed, key: 'customer_id', salt: 'customerRegion', values: REGIONS })} END,
  date '2024-01-01' + (created_s / ${SECONDS_PER_DAY})::int, ${instantAfter('created_s')},
  least(${instantAfter('created_s + updated_s')}, ${LAST_INSTANT})
FROM (
  SELECT c AS customer_id, ${pick({ seed, key: 'c', salt: 'firstName', values: FIRST_NAMES })} AS first,
    ${pick({ seed, key: 'c', salt: 'lastName', values: LAST_NAMES })} AS last,
    ${rank('firstNameDirt')} AS first_rank, ${rank('lastNameDirt')} AS last_rank, ${rank('email')} AS email_rank,
    ${rank('customerRegionNull')} AS region_rank,
    ${h('customerCreated', 730 * SECONDS_PER_DAY)} AS created_s, ${h('customerUpdated', 90 * SECONDS_PER_DAY)} AS updated_s
  FROM generate_series(1::bigint, ${count}::bigint) AS c
) AS base
ORDER BY customer_id`;
}

/** Moves ceil(perMillion/1e6 × customers) seeded-chosen customers to another region (NULL ones get one), stamped now. */
export function updateCustomers(input: { seed: number; perMillion: number }): string {
  const { seed } = input;
  const regions = textArray(REGIONS);
  const step = hashMod({ seed, key: 'customer_id', salt: 'changeRegion', modulus: REGIONS.length - 1 });
  // Position p in 1..5 (0 for NULL) plus a step in 0..3, wrapped, never lands back on p.
  const next = `${regions}[1 + ((coalesce(array_position(${regions}, region), 0) + ${step}) % ${REGIONS.length})::int]`;
  const chosen = sampleKeys({ seed, table: rawTable('customers'), key: 'customer_id', salt: 'changeCustomer', perMillion: input.perMillion });
  return `UPDATE ${rawTable('customers')} SET region = ${next}, updated_at = now() WHERE customer_id IN (${chosen})`;
}
