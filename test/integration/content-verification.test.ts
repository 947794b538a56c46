import { WorkflowFailedError } from '@temporalio/client';
import { describeError } from '../../src/client/errors';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { LOAD_SESSION_SETTINGS, STAGE_TABLE } from '../../src/connectors/targets/load-plan';
import { buildColumnGuards, guardedColumnsOf } from '../../src/connectors/targets/redshift/column-guards';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { columnChecksumSelect, readColumnChecksums, renderValue } from '../../src/sql/column-checksum';
import type { ColumnSpec } from '../../src/sql/warehouse-types';
import { downloadFiles, listKeys } from '../../src/runtime/lake';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { openDuckdb } from '../support/duckdb';

let harness: Harness;

const COLUMNS = ['id', 'i2', 'i4', 'i8', 'n', 'n38', 'f4', 'f8', 't', 'b', 'd', 'ts', 'tstz', 'tm', 'u', 'updated_at'];

/** One table of edge values, test_verify.edges, into test_verify_wh.<target>. */
function pipeline(name: string, target: string): Pipeline {
  const table = { name: 'edges', source: 'test_verify.edges', target: `test_verify_wh.${target}`, primaryKey: ['id'], mode: 'incremental', watermark: 'updated_at' };
  return parsePipeline({ file: 'verify.yaml', text: JSON.stringify({ name, lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [table] }) });
}

/** Every column of a table as text, by id: what a user would compare, written without the project's builders. */
async function asText(pool: Harness['source'], table: string): Promise<string[][]> {
  const select = COLUMNS.map((column) => `${column}::text`).join(', ');
  const result = await pool.query({ text: `SELECT ${select} FROM ${table} ORDER BY id`, rowMode: 'array' });
  return result.rows as string[][];
}

async function savedWatermark(pipelineName: string): Promise<string | undefined> {
  const result = await harness.warehouse.query<{ watermark: string }>('SELECT watermark FROM etl_state.watermarks WHERE pipeline = $1', [pipelineName]).catch(() => ({ rows: [] }));
  return result.rows[0]?.watermark;
}

const EDGE_ROWS = `
INSERT INTO test_verify.edges VALUES
 (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, timestamptz '2026-01-01 00:00:01+00'),
 (2, -32768, -2147483648, -9223372036854775808, -9999999999.99, -9999999999999999999999999999.9999999999, '-Infinity', '-Infinity', '', false,
     date '0001-01-01', timestamp '0001-01-01 00:00:00', timestamptz '0001-01-01 00:00:00+00', time '00:00:00', '00000000-0000-0000-0000-000000000000', timestamptz '2026-01-01 00:00:02+00'),
 (3, 32767, 2147483647, 9223372036854775807, 9999999999.99, 9999999999999999999999999999.9999999999, 'Infinity', 'Infinity', 'héllo wörld 😀 ', true,
     date '9999-12-31', timestamp '9999-12-31 23:59:59.999999', timestamptz '9999-12-31 23:59:59.999999+00', time '23:59:59.999999', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', timestamptz '2026-01-01 00:00:03+00'),
 (4, 0, 0, 0, 0, 0.0000000001, 'NaN', 'NaN', ' ', true, date '2024-02-29', timestamp '2024-02-29 12:34:56.5', timestamptz '2024-02-29 12:34:56.123456+05:30', time '12:00:00.5', gen_random_uuid(), timestamptz '2026-01-01 00:00:04+00'),
 (5, 1, -1, 1, 0.01, -0.0000000001, 0.1, 0.1, E'tab\\there "quoted", comma; new\\nline \\\\ back', false, date '1970-01-01', timestamp '1970-01-01 00:00:00', timestamptz '1969-12-31 23:59:59.999999+00', time '00:00:00.000001', gen_random_uuid(), timestamptz '2026-01-01 00:00:05+00'),
 (6, 2, 3, 4, 123.45, 1.5, 3.4028235e38, 1.7976931348623157e308, 'NULL', true, date '2000-01-01', timestamp '2000-01-01 00:00:00.000001', timestamptz '2000-01-01 00:00:00+14', time '01:02:03', gen_random_uuid(), timestamptz '2026-01-01 00:00:06+00'),
 (7, 5, 6, 7, -0.5, 42, 1.4e-45, 4.9e-324, '\\N', false, date '2038-01-19', timestamp '2038-01-19 03:14:07', timestamptz '2038-01-19 03:14:07-12', time '13:14:15.16', gen_random_uuid(), timestamptz '2026-01-01 00:00:07+00'),
 (8, 8, 9, 10, 1, 2, '-0', '-0', 'ünïcödé ✓ 中文 עברית', true, date '1999-12-31', timestamp '1999-12-31 23:59:59.999999', timestamptz '1999-12-31 23:59:59.999999+00', time '23:59:59', gen_random_uuid(), timestamptz '2026-01-01 00:00:08+00')`;

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_verify CASCADE; CREATE SCHEMA test_verify');
  await harness.source.query(`CREATE TABLE test_verify.edges (id bigint PRIMARY KEY, i2 smallint, i4 integer, i8 bigint, n numeric(12,2), n38 numeric(38,10),
    f4 real, f8 double precision, t text, b boolean, d date, ts timestamp, tstz timestamptz, tm time, u uuid, updated_at timestamptz NOT NULL)`);
  await harness.source.query(EDGE_ROWS);
  await resetWarehouse(harness.warehouse, ['test_verify_wh']);
  await harness.warehouse.query("DELETE FROM etl_state.watermarks WHERE pipeline LIKE 'verify-%'").catch(() => undefined);
});
afterAll(() => harness.close());

describe('per-column content verification', () => {
  it('passes on edge values of every type through a full and an incremental run, and the warehouse equals the source as text', async () => {
    const run = pipeline('verify-edges', 'edges');
    const first = await harness.run(run);
    expect(first.tables[0]).toMatchObject({ extractedRows: 8, loadedRows: 8, rejectedRows: 0 });
    expect(await asText(harness.warehouse, 'test_verify_wh.edges')).toEqual(await asText(harness.source, 'test_verify.edges'));

    // The incremental run merges changed rows (values swapped between rows, NULLs in and out) and a new one.
    await harness.source.query(`UPDATE test_verify.edges SET (i2, n, f8, t, b, tstz, updated_at) = (NULL, 0.5, -1.5e-300, NULL, NULL, timestamptz '2026-06-30 23:00:00-02', timestamptz '2026-01-02 00:00:00+00') WHERE id = 3`);
    await harness.source.query(`UPDATE test_verify.edges SET (i2, t, d, updated_at) = (7, '', NULL, timestamptz '2026-01-02 00:00:01+00') WHERE id = 1`);
    await harness.source.query(`INSERT INTO test_verify.edges SELECT 9, i2, i4, i8, n, n38, f4, f8, t, b, d, ts, tstz, tm, gen_random_uuid(), timestamptz '2026-01-02 00:00:02+00' FROM test_verify.edges WHERE id = 2`);
    const second = await harness.run(run);
    expect(second.tables[0]).toMatchObject({ extractedRows: 3, loadedRows: 3, rejectedRows: 0 });
    expect(await asText(harness.warehouse, 'test_verify_wh.edges')).toEqual(await asText(harness.source, 'test_verify.edges'));
  });

  it('fails the initial load naming the column a trigger rewrote; nothing is committed and no watermark is saved', async () => {
    await harness.warehouse.query(`CREATE SCHEMA IF NOT EXISTS test_verify_wh; CREATE TABLE test_verify_wh.edges_mutated (LIKE test_verify_wh.edges INCLUDING ALL)`);
    await harness.warehouse.query(`CREATE FUNCTION test_verify_wh.bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 6 THEN NEW.n := NEW.n + 0.01; END IF; RETURN NEW; END $$`);
    await harness.warehouse.query('CREATE TRIGGER bump BEFORE INSERT ON test_verify_wh.edges_mutated FOR EACH ROW EXECUTE FUNCTION test_verify_wh.bump()');

    const error = await harness.run(pipeline('verify-mutated', 'edges_mutated')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(describeError(error)).toContain('table edges, step load: the values loaded into test_verify_wh.edges_mutated.n differ from the transform output');
    expect(describeError(error)).not.toMatch(/edges_mutated\.(id|i2|t|f8)\b/);
    const rows = await harness.warehouse.query('SELECT 1 FROM test_verify_wh.edges_mutated');
    expect(rows.rowCount).toBe(0);
    expect(await savedWatermark('verify-mutated')).toBeUndefined();
  });

  it('fails the initial load when a trigger drops a row, counting what landed; nothing is committed and no watermark is saved', async () => {
    await harness.warehouse.query(`CREATE SCHEMA IF NOT EXISTS test_verify_wh; CREATE TABLE test_verify_wh.edges_dropped (LIKE test_verify_wh.edges INCLUDING ALL)`);
    await harness.warehouse.query(`CREATE FUNCTION test_verify_wh.drop_four() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id = 4 THEN RETURN NULL; END IF; RETURN NEW; END $$`);
    await harness.warehouse.query('CREATE TRIGGER drop_four BEFORE INSERT ON test_verify_wh.edges_dropped FOR EACH ROW EXECUTE FUNCTION test_verify_wh.drop_four()');
    const sourceRows = Number((await harness.source.query<{ n: string }>('SELECT count(*) AS n FROM test_verify.edges')).rows[0]?.n);

    const error = await harness.run(pipeline('verify-dropped', 'edges_dropped')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(describeError(error)).toMatch(new RegExp(`table edges: the warehouse does not match the transform output: expected ${sourceRows} rows \\(key checksum -?\\d+\\), found ${sourceRows - 1} \\(`));
    expect(describeError(error)).toContain('nothing was committed');
    const rows = await harness.warehouse.query('SELECT 1 FROM test_verify_wh.edges_dropped');
    expect(rows.rowCount).toBe(0);
    expect(await savedWatermark('verify-dropped')).toBeUndefined();
  });

  it('fails a merge naming the column a trigger rewrote, leaving the loaded rows and the watermark as they were', async () => {
    const run = pipeline('verify-merge-mutated', 'edges_merge');
    await harness.run(run);
    const before = await asText(harness.warehouse, 'test_verify_wh.edges_merge');
    const watermark = await savedWatermark('verify-merge-mutated');
    expect(watermark).toBeDefined();
    await harness.warehouse.query(`CREATE FUNCTION test_verify_wh.upper_t() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.t := upper(NEW.t); RETURN NEW; END $$`);
    await harness.warehouse.query('CREATE TRIGGER upper_t BEFORE INSERT ON test_verify_wh.edges_merge FOR EACH ROW EXECUTE FUNCTION test_verify_wh.upper_t()');
    await harness.source.query(`UPDATE test_verify.edges SET t = 'lower case', updated_at = timestamptz '2026-01-03 00:00:00+00' WHERE id = 5`);

    const error = await harness.run(run).catch((caught: unknown) => caught);

    expect(describeError(error)).toContain('the values loaded into test_verify_wh.edges_merge.t differ from the transform output');
    expect(describeError(error)).toContain('nothing was committed and the watermark is unchanged');
    expect(await asText(harness.warehouse, 'test_verify_wh.edges_merge')).toEqual(before);
    expect(await savedWatermark('verify-merge-mutated')).toBe(watermark);
  });
});

/** The per-column checksums DuckDB computes over a run's processed Parquet (as the transform does for a Redshift load). */
async function checksumProcessed(uri: string, columns: ColumnSpec[]): Promise<Record<string, string>> {
  const [, bucket = '', prefix = ''] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
  const keys = await listKeys({ s3: harness.deps.s3, bucket, prefix });
  const dir = await mkdtemp(join(tmpdir(), 'etl-verify-'));
  const connection = await openDuckdb();
  try {
    const paths = await downloadFiles({ s3: harness.deps.s3, bucket, keys, dir, name: 'processed' });
    await connection.run("SET TimeZone = 'UTC'");
    const select = columnChecksumSelect({ dialect: 'duckdb', keys: ['id'], columns });
    const row = (await connection.runAndReadAll(`SELECT ${select} FROM read_parquet([${paths.map((path) => `'${path}'`).join(', ')}])`)).getRows()[0] ?? [];
    return readColumnChecksums(columns, row);
  } finally {
    connection.closeAll();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the Redshift column guards, in their Postgres dialect on the real warehouse', () => {
  /** The DuckDB types the transform reads test_verify.edges as. */
  const duckdbColumns = COLUMNS.map((name, index) => ({
    name,
    type: ['BIGINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'DECIMAL(12,2)', 'DECIMAL(38,10)', 'FLOAT', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'DATE', 'TIMESTAMP',
      'TIMESTAMP WITH TIME ZONE', 'TIME', 'UUID', 'TIMESTAMP WITH TIME ZONE'][index] ?? '',
  }));

  it('pass on the rows a run loaded, against the checksums DuckDB computed from its Parquet, and abort at the changed column', async () => {
    const manifest = await harness.run(pipeline('verify-guards', 'edges_guards'));
    const expected = await checksumProcessed(manifest.tables[0]?.uris.processed ?? '', duckdbColumns);
    expect(Object.keys(expected)).toEqual(COLUMNS);
    const spec = { dialect: 'postgres' as const, pipeline: 'verify-guards', table: 'edges', target: 'test_verify_wh.edges_guards', mode: 'merge' as const, keys: ['id'], rollups: [], runId: 'r', columns: duckdbColumns };
    const guards = buildColumnGuards({ spec, expected, room: 40 });
    expect(guards).toHaveLength(COLUMNS.length + 1);

    /** Stages every target row, optionally changes one, then runs the guards as the batch would: the first failure stops it. */
    const runGuards = async (change?: string): Promise<string[] | undefined> => {
      const client = await harness.warehouse.connect();
      try {
        await client.query('BEGIN');
        for (const sql of LOAD_SESSION_SETTINGS) await client.query(sql);
        await client.query(`CREATE TEMP TABLE ${STAGE_TABLE} ON COMMIT DROP AS SELECT id FROM test_verify_wh.edges_guards`);
        if (change) await client.query(change);
        for (const sql of guards) {
          const failed = await client.query(sql).then(() => undefined, (error: Error) => error.message);
          if (failed) return [failed, ...(guardedColumnsOf(sql) ?? []).map((index) => COLUMNS[index] ?? '')];
        }
        return undefined;
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    };
    expect(await runGuards()).toBeUndefined();
    expect(await runGuards("UPDATE test_verify_wh.edges_guards SET tstz = tstz + interval '1 microsecond' WHERE id = 6")).toEqual(['division by zero', 'tstz']);
    expect(await runGuards('UPDATE test_verify_wh.edges_guards SET f8 = NULL WHERE id = 4')).toEqual(['division by zero', 'f8']);
    expect(await runGuards("UPDATE test_verify_wh.edges_guards SET b = NOT b WHERE id = 8")).toEqual(['division by zero', 'b']);
  });
});

describe('the canonical rendering', () => {
  /** [DuckDB type, Postgres type, literal]: edge values of every category that exists today. */
  const VALUES: [string, string, string][] = [
    ['BIGINT', 'bigint', '-9223372036854775808'], ['INTEGER', 'integer', '2147483647'], ['SMALLINT', 'smallint', '-32768'],
    ['DECIMAL(38,10)', 'numeric(38,10)', '-9999999999999999999999999999.9999999999'], ['DECIMAL(12,2)', 'numeric(12,2)', '0.50'], ['DECIMAL(18,0)', 'numeric(18,0)', '0'],
    ['DOUBLE', 'float8', '0.1'], ['DOUBLE', 'float8', '-1.5e-300'], ['DOUBLE', 'float8', '1.7976931348623157e308'], ['DOUBLE', 'float8', '4.9e-324'],
    ['DOUBLE', 'float8', '-0'], ['DOUBLE', 'float8', 'NaN'], ['DOUBLE', 'float8', 'Infinity'], ['DOUBLE', 'float8', '-Infinity'], ['DOUBLE', 'float8', '123456789012345680'],
    ['FLOAT', 'real', '0.1'], ['FLOAT', 'real', '3.4028235e38'], ['FLOAT', 'real', '1e-45'],
    ['VARCHAR', 'text', ''], ['VARCHAR', 'text', 'héllo 😀 ünïcödé 中文 '], ['VARCHAR', 'text', 'tab\there'],
    ['BOOLEAN', 'boolean', 'true'], ['BOOLEAN', 'boolean', 'false'],
    ['DATE', 'date', '0001-01-01'], ['DATE', 'date', '9999-12-31'], ['DATE', 'date', '2024-02-29'],
    ['TIMESTAMP', 'timestamp', '0001-01-01 00:00:00'], ['TIMESTAMP', 'timestamp', '9999-12-31 23:59:59.999999'], ['TIMESTAMP', 'timestamp', '2024-01-02 03:04:05.12'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamptz', '2024-01-02 03:04:05.123+05:30'], ['TIMESTAMP WITH TIME ZONE', 'timestamptz', '1969-12-31 23:59:59.999999+00'],
    ['TIME', 'time', '00:00:00'], ['TIME', 'time', '23:59:59.999999'], ['TIME', 'time', '12:00:00.5'],
    ['UUID', 'uuid', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'],
  ];

  it('is the same text in DuckDB and Postgres for every value', async () => {
    const connection = await openDuckdb();
    const client = await harness.warehouse.connect();
    try {
      await connection.run("SET TimeZone = 'UTC'");
      for (const sql of LOAD_SESSION_SETTINGS) await client.query(sql.replace('SET LOCAL', 'SET'));
      const differing: string[] = [];
      for (const [duckdbType, pgType, literal] of VALUES) {
        const column = { name: 'v', type: duckdbType };
        const quoted = `'${literal.replace(/'/g, "''")}'`;
        const duck = (await connection.runAndReadAll(`SELECT ${renderValue({ dialect: 'duckdb', column })} FROM (SELECT CAST(${quoted} AS ${duckdbType}) AS v)`)).getRows()[0]?.[0];
        const pg = (await client.query<{ r: string }>(`SELECT ${renderValue({ dialect: 'postgres', column })} AS r FROM (SELECT CAST(${quoted} AS ${pgType}) AS v) s`)).rows[0]?.r;
        if (duck !== pg || typeof pg !== 'string') differing.push(`${pgType} ${literal}: duckdb ${String(duck)}, postgres ${String(pg)}`);
      }
      expect(differing).toEqual([]);
    } finally {
      connection.closeAll();
      await client.query('RESET ALL');
      client.release();
    }
  });
});
