import {
  analyzeRawTables, createRawTables, indexDimension, indexSales, keySales, lockDemoData, rawTable, recreateRawSchema, selectSalesExists,
  sizeDemoTables,
} from '../../src/sql/seed';
import { chance, hashMod, pick, quota, shuffledRank } from '../../src/sql/seed-common';
import { insertCustomers, updateCustomers } from '../../src/sql/seed-customers';
import { insertProducts, updateProducts } from '../../src/sql/seed-products';
import { insertSales, updateSales, type SalesBatch } from '../../src/sql/seed-sales';

const batch: SalesBatch = {
  seed: 42, firstId: 1, lastId: 1000, firstOriginalId: 1, saleIdOffset: 1_000_000_000, customers: 100, products: 50, stamp: 'historical',
};

describe('demo schema statements', () => {
  it('quotes every identifier', () => {
    expect(rawTable('sales')).toBe('"raw"."sales"');
    expect(recreateRawSchema()).toEqual(['DROP SCHEMA IF EXISTS "raw" CASCADE', 'CREATE SCHEMA "raw"']);
    expect(createRawTables().join('\n')).toMatch(/CREATE TABLE "raw"."customers" .*CREATE TABLE "raw"."products" .*CREATE TABLE "raw"."sales"/s);
    expect(analyzeRawTables()).toBe('ANALYZE "raw"."customers", "raw"."products", "raw"."sales"');
    expect(selectSalesExists()).toContain("to_regclass('raw.sales')");
  });

  it('creates bare tables and adds keys and indexes after the load', () => {
    expect(createRawTables().join('\n')).not.toMatch(/PRIMARY KEY|REFERENCES|UNLOGGED/);
    expect(indexDimension({ table: 'products' })).toEqual([
      `SET LOCAL maintenance_work_mem = '512MB'; ALTER TABLE "raw"."products" ADD CONSTRAINT "products_pkey" PRIMARY KEY ("product_id")`,
      `SET LOCAL maintenance_work_mem = '512MB'; CREATE INDEX "products_updated_at_idx" ON "raw"."products" ("updated_at")`,
    ]);
    expect(indexSales()[0]).toContain('CREATE UNIQUE INDEX "sales_pkey" ON "raw"."sales" ("id")');
    expect(keySales()[0]).toBe('ALTER TABLE "raw"."sales" ADD CONSTRAINT "sales_pkey" PRIMARY KEY USING INDEX "sales_pkey"');
    expect(keySales()[1]).toMatch(/FOREIGN KEY \("product_id"\)\s+REFERENCES "raw"."products" \("product_id"\)/);
  });

  it('serialises demo-data writers on one advisory lock, per session or per transaction', () => {
    expect(lockDemoData({ scope: 'session' })).toBe("SELECT pg_advisory_lock(hashtext('temporal-etl demo data'))");
    expect(lockDemoData({ scope: 'transaction' })).toBe("SELECT pg_advisory_xact_lock(hashtext('temporal-etl demo data'))");
  });

  it('sizes customers and products from the sales rows', () => {
    expect(sizeDemoTables({ rows: 20_000 })).toEqual({ customers: 1000, products: 50, sales: 20_000 });
    expect(sizeDemoTables({ rows: 10_000_000 })).toEqual({ customers: 500_000, products: 10_000, sales: 10_000_000 });
    expect(sizeDemoTables({ rows: 10 })).toEqual({ customers: 100, products: 50, sales: 10 });
    expect(() => sizeDemoTables({ rows: 0 })).toThrow(RangeError);
  });
});

describe('seeded hashing', () => {
  it('hashes with a seed and salt of its own, never random()', () => {
    expect(hashMod({ seed: 42, key: 'c', salt: 'firstName', modulus: 30 })).toBe('((hashint8extended(c, 42001) & 9223372036854775807) % 30)');
    expect(chance({ seed: 7, key: 'id', salt: 'duplicate', perMillion: 10_000 })).toBe(
      '((hashint8extended(id, 7040) & 9223372036854775807) % 1000000) < 10000',
    );
    expect(shuffledRank({ seed: 1, key: 'p', salt: 'categoryNull' })).toBe('row_number() OVER (ORDER BY hashint8extended(p, 1023), p)');
    expect(pick({ seed: 1, key: 'b', salt: 'channel', values: ["it's", 'b'] })).toContain(`(ARRAY['it''s', 'b']::text[])[1 + `);
  });

  it('keeps large and negative seeds exact', () => {
    expect(hashMod({ seed: Number.MAX_SAFE_INTEGER, key: 'k', salt: 'price', modulus: 2 })).toContain('9007199254740991024');
    expect(hashMod({ seed: -3, key: 'k', salt: 'price', modulus: 2 })).toContain('hashint8extended(k, -2976)');
  });

  it('rounds quotas up so that small tables still get every kind of dirt', () => {
    expect(quota({ count: 50, perMillion: 20_000 })).toBe(1);
    expect(quota({ count: 50, perMillion: 10_000 })).toBe(1);
    expect(quota({ count: 1000, perMillion: 50_000 })).toBe(50);
  });

  it.each([1.5, Number.NaN, Infinity, 2 ** 60])('rejects the seed %p', (seed) => {
    expect(() => insertCustomers({ seed, count: 10 })).toThrow(/seed must be an integer/);
  });
});

describe('demo loads', () => {
  it('generates customers and products inside Postgres from generate_series', () => {
    const customers = insertCustomers({ seed: 42, count: 1000 });
    expect(customers).toMatch(/^INSERT INTO "raw"."customers" \(customer_id, first_name, .*\)\nSELECT/);
    expect(customers).toContain('FROM generate_series(1::bigint, 1000::bigint) AS c');
    expect(customers).toContain('first_rank <= 50');
    expect(insertProducts({ seed: 42, count: 50 })).toContain('name_rank <= 1 ');
    expect(`${customers}${insertProducts({ seed: 42, count: 50 })}${insertSales(batch)}`).not.toMatch(/random\(/);
  });

  it.each([0, -1, 2.5, Number.NaN])('rejects the count %p', (count) => {
    expect(() => insertCustomers({ seed: 42, count })).toThrow(RangeError);
    expect(() => insertProducts({ seed: 42, count })).toThrow(RangeError);
  });

  it('is a pure function of its input', () => {
    expect(insertSales(batch)).toBe(insertSales({ ...batch }));
    expect(insertSales({ ...batch, seed: 43 })).not.toBe(insertSales(batch));
  });

  it('generates the batch of sales ids asked for, priced by join', () => {
    const sql = insertSales({ ...batch, firstId: 501, lastId: 700 });
    expect(sql).toContain('generate_series(501::bigint, 700::bigint)');
    expect(sql).toContain('JOIN "raw"."products" AS p ON p.product_id = s.product_id');
    expect(sql).toContain('1000000000 + b');
    expect(sql).not.toContain('now()');
  });

  it('stamps new sales now, and their duplicates later still', () => {
    expect(insertSales({ ...batch, stamp: 'now' })).toContain('CASE WHEN s.is_dup THEN clock_timestamp() ELSE now() END');
  });

  it.each<[keyof SalesBatch, number]>([
    ['firstId', 0],
    ['lastId', 0],
    ['firstId', 1.5],
    ['saleIdOffset', -1],
    ['customers', 0],
    ['products', 2.5],
    ['firstOriginalId', Number.NaN],
  ])('rejects %s = %p', (field, value) => {
    expect(() => insertSales({ ...batch, [field]: value })).toThrow(RangeError);
  });
});

describe('demo changes', () => {
  it('updates a seeded share of each table and stamps it now', () => {
    expect(updateCustomers({ seed: 5, perMillion: 10_000 })).toMatch(/^UPDATE "raw"."customers" SET region = .*, updated_at = now\(\) WHERE customer_id IN \(/);
    expect(updateCustomers({ seed: 5, perMillion: 10_000 })).toContain(
      'SELECT customer_id FROM "raw"."customers" ORDER BY hashint8extended(customer_id, 5060), customer_id LIMIT (SELECT ceil(count(*) * 10000 / 1000000.0)::bigint FROM "raw"."customers")',
    );
    expect(updateProducts({ seed: 5, perMillion: 10_000 })).toContain('SET unit_price = round(unit_price * 1.05, 2), updated_at = now()');
    expect(updateSales({ seed: 5, perMillion: 10_000 })).toContain('amount = (CASE WHEN quantity < 0 THEN quantity - 1 ELSE quantity + 1 END) * unit_price');
  });

  it('rejects a share that is not a whole number per million', () => {
    expect(() => updateSales({ seed: 5, perMillion: 0.5 })).toThrow(RangeError);
    expect(() => updateProducts({ seed: 5, perMillion: -1 })).toThrow(RangeError);
  });
});
