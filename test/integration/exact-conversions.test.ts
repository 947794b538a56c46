import { describeError } from '../../src/client/errors';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';

/**
 * Every value arrives exactly: the trip source → Parquet → DuckDB's CSV → COPY gives back the same value or
 * fails. Shown over random values spanning each type's range (hostile text, float extremes, microseconds,
 * year 1 to 9999), compared by a query written here: exact text, and floats by their bytes. And a target
 * whose type would change values fails the load's content check, naming the column.
 */
let harness: Harness;
const ROWS = 20000;

const COLUMNS = `id bigint PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, n38 numeric(38,10), n12 numeric(12,2), f8 double precision, f4 real,
  t text, vc varchar(24), ch char(7), b boolean, d date, ts timestamp, tstz timestamptz, tm time, u uuid, bt bytea, updated_at timestamptz NOT NULL`;

/** Random values per column (setseed makes them the same every run); every tenth value NULL. */
const RANDOM_ROWS = `
SELECT setseed(0.42);
INSERT INTO test_exact.vals
SELECT g,
  test_exact.nul(g, 1, (floor(random() * 65536) - 32768)::smallint),
  test_exact.nul(g, 2, (floor(random() * 4294967296) - 2147483648)::integer),
  test_exact.nul(g, 3, CASE g % 97 WHEN 0 THEN -9223372036854775808 WHEN 1 THEN 9223372036854775807 ELSE (floor((random() - 0.5) * 1.8e19))::bigint END),
  test_exact.nul(g, 4, round(((random() - 0.5) * 10 ^ floor(random() * 28))::numeric, floor(random() * 11)::int)::numeric(38,10)),
  test_exact.nul(g, 5, round(((random() - 0.5) * 2e10)::numeric, 2)::numeric(12,2)),
  test_exact.nul(g, 6, CASE g % 101 WHEN 0 THEN 'NaN'::float8 WHEN 1 THEN 'Infinity' WHEN 2 THEN '-Infinity' WHEN 3 THEN 4.9e-324 WHEN 4 THEN 1.7976931348623157e308
    ELSE sign(random() - 0.5) * (0.1 + random()) * power(10::float8, floor(random() * 614) - 307) END),
  test_exact.nul(g, 7, (sign(random() - 0.5) * (0.1 + random()) * power(10::float8, floor(random() * 75) - 38))::real),
  test_exact.nul(g, 8, (SELECT string_agg(chr((ARRAY[32, 34, 44, 92, 10, 13, 9, 39, 252, 8364, 128512, 20013, 97, 65, 48])[1 + floor(random() * 15)::int]), '') FROM generate_series(0, g % 30) WHERE g > 0)),
  test_exact.nul(g, 9, left(' ,"' || md5(g::text), (g % 24)::int)),
  test_exact.nul(g, 10, left(md5(g::text), (g % 8)::int)),
  test_exact.nul(g, 11, random() < 0.5),
  test_exact.nul(g, 12, date '0001-01-01' + floor(random() * 3652058)::int),
  test_exact.nul(g, 13, timestamp '0001-01-01' + floor(random() * 315537897599999999) * interval '1 microsecond'),
  test_exact.nul(g, 14, timestamptz '1900-01-01 00:00:00+00' + floor(random() * 6311433599999999) * interval '1 microsecond'),
  test_exact.nul(g, 15, time '00:00' + floor(random() * 86399999999) * interval '1 microsecond'),
  test_exact.nul(g, 16, gen_random_uuid()),
  test_exact.nul(g, 17, decode(md5(g::text) || md5((g * 7)::text), 'hex')),
  timestamptz '2026-01-01 00:00:00+00' + g * interval '1 millisecond'
FROM generate_series(1, ${ROWS}) g`;

/** Each value as its exact text, floats as their IEEE bytes: independent of both engines' float printing. */
const EXACT_TEXT = `id, i2::text, i4::text, i8::text, n38::text, n12::text, float8send(f8)::text, float4send(f4)::text, t, vc, ch::text, b::text,
  d::text, ts::text, tstz::text, tm::text, u::text, bt::text`;

function pipeline(name: string, target: string): Pipeline {
  const table = { name: 'vals', source: 'test_exact.vals', target, primaryKey: ['id'], mode: 'incremental', watermark: 'updated_at' };
  return parsePipeline({ file: 'exact.yaml', text: JSON.stringify({ name, lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [table] }) });
}

async function exactRows(pool: Harness['source'], table: string): Promise<unknown[][]> {
  const client = await pool.connect();
  try {
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'");
    return (await client.query({ text: `SELECT ${EXACT_TEXT} FROM ${table} ORDER BY id`, rowMode: 'array' })).rows as unknown[][];
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_exact CASCADE; CREATE SCHEMA test_exact');
  await harness.source.query(`CREATE FUNCTION test_exact.nul(g bigint, k int, v anyelement) RETURNS anyelement LANGUAGE sql AS 'SELECT CASE WHEN (g + k) % 10 = 0 THEN NULL ELSE v END'`);
  await harness.source.query(`CREATE TABLE test_exact.vals (${COLUMNS})`);
  await harness.source.query(RANDOM_ROWS);
  await resetWarehouse(harness.warehouse, ['test_exact_wh']);
  for (const name of ['exact-random', 'exact-narrow']) await forgetPipelineState(harness.warehouse, name);
});
afterAll(() => harness.close());

describe('the conversions of a Postgres load', () => {
  it('carry random values of every type exactly, floats to the bit', async () => {
    const manifest = await harness.run(pipeline('exact-random', 'test_exact_wh.vals'));
    expect(manifest.tables[0]).toMatchObject({ extractedRows: ROWS, loadedRows: ROWS, rejectedRows: 0 });
    const source = await exactRows(harness.source, 'test_exact.vals');
    const warehouse = await exactRows(harness.warehouse, 'test_exact_wh.vals');
    expect(warehouse).toHaveLength(ROWS);
    const differing = warehouse.filter((row, index) => JSON.stringify(row) !== JSON.stringify(source[index])).slice(0, 3);
    expect(differing).toEqual([]);
  });

  it('fail the load naming the column when the target type would change values (timestamp(0) rounds microseconds)', async () => {
    await harness.warehouse.query(`CREATE TABLE test_exact_wh.narrow (${COLUMNS.replace('ts timestamp,', 'ts timestamp(0),')})`);
    const error = await harness.run(pipeline('exact-narrow', 'test_exact_wh.narrow')).catch((caught: unknown) => caught);
    expect(describeError(error)).toContain('the values loaded into test_exact_wh.narrow.ts differ from the transform output');
    expect(describeError(error)).not.toMatch(/narrow\.(i8|f8|tstz|t)\b/);
    expect((await harness.warehouse.query('SELECT 1 FROM test_exact_wh.narrow')).rowCount).toBe(0);
  });
});
