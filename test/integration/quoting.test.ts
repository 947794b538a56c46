import { Pool, type PoolClient } from 'pg';
import { createStateTables } from '../../src/connectors/targets/state-sql';
import { buildLoadBatch, copyParquetFromS3, type RedshiftLoadSpec } from '../../src/connectors/targets/redshift/sql';
import { loadSettings } from '../../src/config/settings';
import { quoteIdent, quoteLiteral, quoteQualified, quoteRedshiftLiteral } from '../../src/sql/quote';
import { ORDERS_TABLE } from '../support/orders-table';

/**
 * Hostile strings go through both dialects' quoting and come back unchanged. Redshift reads a backslash in a
 * literal as an escape, which is what Postgres does with standard_conforming_strings = off, so the Redshift
 * literals are read back by a Postgres session with that setting (no Redshift runs here).
 */
const HOSTILE = [
  "o'brien",
  "''; DROP TABLE x; --",
  'back\\slash',
  'trailing backslash\\',
  "\\'; SELECT 1; --",
  '$$ dollar $$ $tag$ quoted $tag$',
  'line one\nline two\r\n\ttabbed',
  'unicode: ünïcödé 日本語 🚀 \u202e',
  '"double" quotes',
  'E\'not an escape\\n\'',
];

let pool: Pool;

async function withSession<T>(conforming: boolean, use: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL standard_conforming_strings = ${conforming ? 'on' : 'off'}`);
    await client.query('SET LOCAL escape_string_warning = off');
    return await use(client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

const readBack = (client: PoolClient, literal: string) => client.query<{ v: string }>(`SELECT ${literal} AS v`).then((result) => result.rows[0]?.v);

beforeAll(() => {
  pool = new Pool({ connectionString: loadSettings().postgres.warehouseUrl, max: 2 });
});
afterAll(() => pool.end());

describe('Postgres literals', () => {
  it.each(HOSTILE)('reads back %j with standard_conforming_strings on and off', async (value) => {
    expect(await withSession(true, (client) => readBack(client, quoteLiteral(value)))).toBe(value);
    expect(await withSession(false, (client) => readBack(client, quoteLiteral(value)))).toBe(value);
  });
});

describe('Redshift literals', () => {
  it.each(HOSTILE)('reads back %j where a backslash escapes', async (value) => {
    expect(await withSession(false, (client) => readBack(client, quoteRedshiftLiteral(value)))).toBe(value);
  });

  it('would change a backslash value if only quotes were doubled (the bug this guards)', async () => {
    const value = "\\'; SELECT 1; --";
    const naive = `'${value.replaceAll("'", "''")}'`;
    const read = await withSession(false, (client) => readBack(client, naive).then(String, (error: Error) => `error: ${error.message}`));
    expect(read).not.toBe(value);
  });

  it('carries a hostile lake prefix and run id into the COPY and the state rows unchanged', async () => {
    const runId = "demo-2026-01-15'; DELETE FROM etl_state.watermarks; --\\";
    const s3Prefix = "s3://lake/we\\ird'pre$$fix/processed-data/orders/run_date=2026-01-15/x\\'y/";
    const spec: RedshiftLoadSpec = { ...ORDERS_TABLE, rollups: [], runId, watermark: "2024-01-31\\'", s3Prefix, iamRoleArn: 'arn:aws:iam::123456789012:role/copy', expected: { rows: 1, keyChecksum: '1' } };
    const copy = copyParquetFromS3({ table: spec.target, s3Prefix, iamRoleArn: spec.iamRoleArn });
    const literal = / FROM ('(?:[^'\\]|''|\\.)*') IAM_ROLE /s.exec(copy)?.[1] ?? '';
    expect(await withSession(false, (client) => readBack(client, literal))).toBe(s3Prefix);
    // The batch's state statements run as Redshift would read them: backslashes escape, getdate() is a function.
    const state = buildLoadBatch(spec).filter((sql) => sql.includes('etl_state.') && !sql.startsWith('CREATE'));
    const saved = await withSession(false, async (client) => {
      await client.query('CREATE SCHEMA IF NOT EXISTS etl_quoting_probe');
      await client.query('CREATE FUNCTION etl_quoting_probe.getdate() RETURNS timestamp LANGUAGE sql AS $$ SELECT now()::timestamp $$');
      await client.query('SET LOCAL search_path = etl_quoting_probe, public');
      for (const sql of createStateTables()) await client.query(sql);
      await client.query('CREATE TEMP TABLE etl_stage (order_id bigint)');
      await client.query('INSERT INTO etl_stage VALUES (1)');
      for (const sql of state) await client.query(sql);
      const loads = await client.query<{ run_id: string }>('SELECT run_id FROM etl_state.loads WHERE pipeline = $1', [spec.pipeline]);
      const marks = await client.query<{ run_id: string; watermark: string }>('SELECT run_id, watermark FROM etl_state.watermarks WHERE pipeline = $1', [spec.pipeline]);
      return { loads: loads.rows, marks: marks.rows };
    });
    expect(saved.loads).toEqual([{ run_id: runId }]);
    expect(saved.marks).toEqual([{ run_id: runId, watermark: "2024-01-31\\'" }]);
  });
});

describe('identifiers', () => {
  const names = ['o"brien', 'Mixed Case', 'back\\slash', '$$dollar$$', 'ünïcode 日本', "quote'd", 'new\nline'];

  it.each(names)('creates and finds a table and column named %j', async (name) => {
    const found = await withSession(true, async (client) => {
      await client.query(`CREATE SCHEMA ${quoteIdent(name)}`);
      await client.query(`CREATE TABLE ${quoteIdent(name)}.${quoteIdent(name)} (${quoteIdent(name)} text)`);
      await client.query(`INSERT INTO ${quoteIdent(name)}.${quoteIdent(name)} VALUES (${quoteLiteral(name)})`);
      const rows = await client.query<{ table_schema: string; table_name: string; column_name: string }>(
        'SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE table_schema = $1',
        [name],
      );
      const value = await client.query<{ v: string }>(`SELECT ${quoteIdent(name)} AS v FROM ${quoteIdent(name)}.${quoteIdent(name)}`);
      return { catalog: rows.rows, value: value.rows[0]?.v };
    });
    expect(found).toEqual({ catalog: [{ table_schema: name, table_name: name, column_name: name }], value: name });
  });

  it('refuses names Postgres would truncate, and NUL anywhere', () => {
    expect(() => quoteIdent('x'.repeat(64))).toThrow(/longer than 63 bytes/);
    expect(() => quoteIdent('é'.repeat(32))).toThrow(/longer than 63 bytes/);
    expect(quoteIdent('x'.repeat(63))).toBe(`"${'x'.repeat(63)}"`);
    expect(() => quoteLiteral('a\0b')).toThrow(/NUL/);
    expect(() => quoteRedshiftLiteral('a\0b')).toThrow(/NUL/);
    expect(quoteQualified('raw.orders')).toBe('"raw"."orders"');
  });
});
