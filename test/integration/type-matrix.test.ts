import { WorkflowFailedError } from '@temporalio/client';
import { describeError } from '../../src/client/errors';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import type { RunManifest } from '../../src/workflows';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { queryLakeParquet } from '../support/lake';

let harness: Harness;
const TARGET = 'test_types_wh.matrix';

const COLUMNS = `
  id int NOT NULL, k text NOT NULL,
  i2 smallint, i4 integer, i8 bigint,
  n12 numeric(12,2), n38 numeric(38,10), nu numeric, nbig numeric(50,5),
  r real, d double precision, b boolean,
  vc varchar(40), ch char(5), t text, nn text NOT NULL,
  dt date, ts timestamp, tstz timestamptz, tm time, ttz timetz, iv interval,
  js json, jb jsonb, by bytea, u uuid, arr integer[], tarr text[],
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (id, k)`;

const INSERT = `INSERT INTO test_types.matrix (id, k, i2, i4, i8, n12, n38, nu, nbig, r, d, b, vc, ch, t, nn, dt, ts, tstz, tm, ttz, iv, js, jb, by, u, arr, tarr, updated_at) VALUES `;

/**
 * Rows 1–3 and 10–11 are representable everywhere; 4–9 each hold one value no engine downstream can carry
 * (Postgres itself keeps ±Infinity out of a numeric with a declared precision, NaN it allows).
 */
const FIRST_ROWS = [
  `(1, 'a', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-01-01 00:00:01+00')`,
  `(2, 'a', -32768, -2147483648, -9223372036854775808, -9999999999.99, -9999999999999999999999999999.9999999999, 0.12345678901234567890, 9007199254740993.00000,
    -3.4028235e38, -1.7976931348623157e308, false, '', 'ab', '', ' ', '0001-01-01', '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '00:00:00', '00:00:00+14:59',
    '-178000000 years', '{"a": [1, 2]}', '{"b": null, "a": 1.50}', '\\x00', '00000000-0000-0000-0000-000000000000', '{}', '{"",NULL}', '2026-01-01 00:00:02+00')`,
  `(3, 'b', 32767, 2147483647, 9223372036854775807, 9999999999.99, 9999999999999999999999999999.9999999999, -12345678901234567.12345678901234567890, -1e44,
    3.4028235e38, 1.7976931348623157e308, true, 'héllo ✓ 😀 "quoted", comma', 'abcde', E'line\\nbreak \\\\ back\\\\N \\t tab  ', 'x',
    '9999-12-31', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999+00', '24:00:00', '23:59:59.999999-15:59',
    '1 year 2 mons 3 days 04:05:06.789', '{ "spaced" :  "ü" }', '{"nested": {"x": [true, false, null]}}', '\\xdeadbeef00ff', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '{1,NULL,-3}', '{"a,b","c\\"d"}', '2026-01-01 00:00:03+00')`,
  `(4, 'a', 1, 1, 1, 1, 1, 'NaN', 1, 1, 1, true, 'x', 'x', 'x', 'x', '2026-01-01', '2026-01-01', '2026-01-01+00', '12:00', '12:00+00', '1 day', '{}', '{}', '\\x01', NULL, '{1}', '{x}', '2026-01-01 00:00:04+00')`,
  `(5, 'a', 1, 1, 1, 'NaN', 1, 1, 1, 1, 1, true, 'x', 'x', 'x', 'x', '2026-01-01', '2026-01-01', '2026-01-01+00', '12:00', '12:00+00', '1 day', '{}', '{}', '\\x01', NULL, '{1}', '{x}', '2026-01-01 00:00:05+00')`,
  `(6, 'a', 1, 1, 1, 1, 1, 'Infinity', 1, 1, 1, true, 'x', 'x', 'x', 'x', '2026-01-01', '2026-01-01', '2026-01-01+00', '12:00', '12:00+00', '1 day', '{}', '{}', '\\x01', NULL, '{1}', '{x}', '2026-01-01 00:00:06+00')`,
  `(7, 'a', 1, 1, 1, 1, 1, 1, 1, 1, 1, true, 'x', 'x', 'x', 'x', '0044-03-15 BC', '2026-01-01', '2026-01-01+00', '12:00', '12:00+00', '1 day', '{}', '{}', '\\x01', NULL, '{1}', '{x}', '2026-01-01 00:00:07+00')`,
  `(8, 'a', 1, 1, 1, 1, 1, 1, 1, 1, 1, true, 'x', 'x', 'x', 'x', '2026-01-01', '2026-01-01', '294276-12-31 23:59:59+00', '12:00', '12:00+00', '1 day', '{}', '{}', '\\x01', NULL, '{1}', '{x}', '2026-01-01 00:00:08+00')`,
  `(9, 'a', 1, 1, 1, 1, 1, 1, 1, 1, 1, true, 'x', 'x', 'x', 'x', '2026-01-01', 'infinity', '2026-01-01+00', '12:00', '12:00+00', '1 day', '{}', '{}', '\\x01', NULL, '{1}', '{x}', '2026-01-01 00:00:09+00')`,
  `(10, 'a', 0, 0, 0, 0, 0, 0, 0, 'NaN', 'Infinity', NULL, 'trailing  ', 'a  ', '  lead', 'x', '2000-02-29', '2000-02-29 12:34:56.123456', '1999-12-31 23:00:00-05', '12:34:56.5', '12:34:56.5+05:30', '-1 day +02:00', 'null', '[]', '\\x', NULL, '{{1,2},{3,4}}', '{}', '2026-01-01 00:00:10+00')`,
  `(11, 'a', 0, 0, 0, 0.01, 0.0000000001, -0.00000000000000000001, -0.00001, '-Infinity', 5e-324, NULL, NULL, NULL, NULL, 'x', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-01-01 00:00:11+00')`,
];

/** Rows whose one unrepresentable value, in the column named, sends them to rejected/. */
const FIRST_REJECTS = [
  { id: 4, column: 'nu' },
  { id: 5, column: 'n12' },
  { id: 6, column: 'nu' },
  { id: 7, column: 'dt' },
  { id: 8, column: 'tstz' },
  { id: 9, column: 'ts' },
];

/**
 * Every column as text, written here independently of the project's builders: the same expression on the
 * source and the warehouse, except where the map documents a different warehouse type (arrays → jsonb) or a
 * different display scale (unconstrained numerics arrive with the window's scale: compared by value).
 */
function renderRows(side: 'source' | 'warehouse', from: string): string {
  const array = (column: string) => (side === 'source' ? `array_to_json(${column})::jsonb::text` : `${column}::text`);
  const columns = [
    'id::text', 'k', 'i2::text', 'i4::text', 'i8::text', 'n12::text', 'n38::text', 'trim_scale(nu)::text', 'nbig::text',
    'r::text', 'd::text', 'b::text', 'vc', 'ch::text', 't', 'nn',
    'dt::text', 'ts::text', 'tstz::text', 'tm::text', 'ttz::text', 'iv::text', 'js::text', 'jb::text', 'by::text', 'u::text',
    array('arr'), array('tarr'), 'updated_at::text',
  ];
  const rendered = columns.map((column, index) => `coalesce(${column}, '<NULL>') AS c${index}`);
  return `SELECT ${rendered.join(', ')} FROM ${from} ORDER BY id, k`;
}

async function sourceRows(excluded: readonly number[]): Promise<string[][]> {
  const where = excluded.length > 0 ? ` WHERE id NOT IN (${excluded.join(', ')})` : '';
  const result = await harness.source.query<Record<string, string>>(renderRows('source', `test_types.matrix${where}`));
  return result.rows.map((row) => Object.values(row));
}

async function warehouseRows(): Promise<string[][]> {
  const result = await harness.warehouse.query<Record<string, string>>(renderRows('warehouse', TARGET));
  return result.rows.map((row) => Object.values(row));
}

/** The rejected file's rows: key, reason, and the column named. */
async function rejectedRows(manifest: RunManifest): Promise<{ id: number; reason: string; column: string }[]> {
  const uri = manifest.tables[0]?.uris.rejected;
  if (!uri) throw new Error('no rejected file in the manifest');
  const rows = await queryLakeParquet(harness, uri, 'SELECT id, reject_reason, reject_column FROM $file ORDER BY id');
  return rows.map(([id, reason, column]) => ({ id: Number(id), reason: String(reason), column: String(column) }));
}

function pipeline(name: string, table: Record<string, unknown> = {}): Pipeline {
  const base = { name: 'matrix', source: 'test_types.matrix', target: TARGET, primaryKey: ['id', 'k'], mode: 'merge', watermark: 'updated_at', types: { nbig: 'VARCHAR' } };
  return parsePipeline({ file: 'types.yaml', text: JSON.stringify({ name, lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [{ ...base, ...table }] }) });
}

async function targetExists(): Promise<boolean> {
  const result = await harness.warehouse.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'test_types_wh' AND table_name = 'matrix'");
  return result.rowCount === 1;
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_types CASCADE; CREATE SCHEMA test_types');
  await harness.source.query(`CREATE TABLE test_types.matrix (${COLUMNS})`);
  await harness.source.query(INSERT + FIRST_ROWS.join(',\n'));
  await resetWarehouse(harness.warehouse, ['test_types_wh']);
  await harness.warehouse.query("DELETE FROM etl_state.watermarks WHERE pipeline LIKE 'types-%'").catch(() => undefined);
});
afterAll(() => harness.close());

describe('the type matrix', () => {
  it('refuses a numeric wider than 38 digits before any data moves, naming table, column and width', async () => {
    const error = await harness.run(pipeline('types-refused', { types: {} })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const message = describeError(error);
    expect(message).toContain('pipeline types-refused, table matrix, column test_types.matrix.nbig (numeric(50,5))');
    expect(message).toContain('45 digits before and 5 after the point');
    expect(message).toContain('types: { nbig: VARCHAR }');
    expect(message).not.toContain('9007199254740993');
    expect(await targetExists()).toBe(false);
  });

  it('carries every value exactly through a full run, and rejects exactly the unrepresentable rows, naming the column', async () => {
    const manifest = await harness.run(pipeline('types-matrix'));
    const table = manifest.tables[0];
    expect(table).toMatchObject({ sourceRows: 11, extractedRows: 11, rejectedRows: 6, loadedRows: 5, rejectedByRule: { unrepresentable_value: 6 } });
    expect(await rejectedRows(manifest)).toEqual(FIRST_REJECTS.map(({ id, column }) => ({ id, reason: 'unrepresentable_value', column })));
    expect(await warehouseRows()).toEqual(await sourceRows(FIRST_REJECTS.map((reject) => reject.id)));
  });

  it('keeps source types in the warehouse: lengths, precision, NOT NULL, json, bytea, interval, uuid, time zones', async () => {
    const result = await harness.warehouse.query<{ column_name: string; type: string; not_null: boolean }>(
      `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
       FROM pg_attribute a WHERE a.attrelid = '${TARGET}'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    const types = Object.fromEntries(result.rows.map((row) => [row.column_name, `${row.type}${row.not_null ? ' NOT NULL' : ''}`]));
    expect(types).toEqual({
      id: 'integer NOT NULL', k: 'text NOT NULL', i2: 'smallint', i4: 'integer', i8: 'bigint',
      n12: 'numeric(12,2)', n38: 'numeric(38,10)', nu: 'numeric', nbig: 'numeric(50,5)', r: 'real', d: 'double precision', b: 'boolean',
      vc: 'character varying(40)', ch: 'character(5)', t: 'text', nn: 'text NOT NULL',
      dt: 'date', ts: 'timestamp without time zone', tstz: 'timestamp with time zone', tm: 'time without time zone', ttz: 'time with time zone', iv: 'interval',
      js: 'json', jb: 'jsonb', by: 'bytea', u: 'uuid', arr: 'jsonb', tarr: 'jsonb', updated_at: 'timestamp with time zone NOT NULL',
    });
  });

  it('carries changed and new rows exactly through an incremental run; a value that became unrepresentable is rejected, never NULL', async () => {
    await harness.source.query(`UPDATE test_types.matrix SET nu = 98765.43210987654321098765, vc = 'changed ✓', ch = 'z', iv = '-3 mons', updated_at = '2026-01-02 00:00:01+00' WHERE id = 2`);
    await harness.source.query(`UPDATE test_types.matrix SET tstz = '-infinity', nu = '-Infinity', updated_at = '2026-01-02 00:00:02+00' WHERE id = 3`);
    await harness.source.query(
      INSERT +
        `(12, 'a', 7, 7, 7, 7.07, 7, 0.00000000000000000007, 7, 7.5, 7.25, true, 'seven', 'seven', 'seven', 'seven', '2026-07-07', '2026-07-07 07:07:07',
          '2026-07-07 07:07:07.777777+00', '07:07:07', '07:07:07-07', '7 hours', '{"n": 7}', '{"n": 7}', '\\x07', '77777777-7777-7777-7777-777777777777', '{7}', '{seven}', '2026-01-02 00:00:03+00'),
         (12, 'b', 8, 8, 8, 8, 8, 8, 8, 8, 8, false, '', '', '', '', '2026-08-08', '2026-08-08', '2026-08-08+00', '08:00', '08:00+00', '8 days', '{}', '{}', '\\x08', NULL, NULL, NULL, '2026-01-02 00:00:04+00')`,
    );
    const manifest = await harness.run(pipeline('types-matrix'), '2026-01-16');
    expect(manifest.tables[0]).toMatchObject({ sourceRows: 4, extractedRows: 4, rejectedRows: 1, loadedRows: 3, rejectedByRule: { unrepresentable_value: 1 } });
    // Two unrepresentable values in the row: the first column in table order is named.
    expect(await rejectedRows(manifest)).toEqual([{ id: 3, reason: 'unrepresentable_value', column: 'nu' }]);
    // Row 3 keeps what the last good load wrote: the warehouse still holds the version before the change.
    const [before] = await harness.warehouse.query<{ tstz: string }>(`SELECT tstz::text FROM ${TARGET} WHERE id = 3`).then((result) => result.rows);
    expect(before?.tstz).toBe('9999-12-31 23:59:59.999999+00');
    const expected = (await sourceRows([...FIRST_REJECTS.map((reject) => reject.id)])).filter((row) => row[0] !== '3');
    const actual = (await warehouseRows()).filter((row) => row[0] !== '3');
    expect(actual).toEqual(expected);
  });
});
