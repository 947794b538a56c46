import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { parsePipeline, type Pipeline, type TableSpec } from '../../src/config';
import { describeError } from '../../src/client/errors';
import { LOCAL_STACK } from '../../src/config/local-stack';
import type { SourceColumn } from '../../src/sql/pg-types';
import { createTransformCheckActivities } from '../../src/transform/check';
import { withDuckdb } from '../../src/transform/duckdb-session';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';

/**
 * A pipeline file is untrusted input: every way of reaching the host through DuckDB (files, /proc, COPY,
 * ATTACH, extensions, settings, a second statement) is refused in the plan step, naming the step, before any
 * data moves; and a session is sealed even if something slipped past the check.
 */
let harness: Harness;
let scratch: string;
const decoy = () => join(scratch, 'decoy.csv');
const written = () => join(scratch, 'written.csv');

const columns: SourceColumn[] = [
  { name: 'event_id', pgType: 'bigint', duckdbType: 'BIGINT', category: 'integer' },
  { name: 'note', pgType: 'text', duckdbType: 'VARCHAR', category: 'text' },
  { name: 'amount', pgType: 'numeric(10,2)', duckdbType: 'DECIMAL(10,2)', category: 'decimal' },
];

/** The table as validation fills it in (every default), then the step under test put in directly. */
function tableWith(overrides: Partial<TableSpec>): TableSpec {
  const text = JSON.stringify({ name: 'sandbox', lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [{ name: 'events', source: 'test_sandbox.events', target: 'test_sandbox_wh.events', primaryKey: ['event_id'] }] });
  const [base] = parsePipeline({ file: 'sandbox.yaml', text }).tables;
  if (!base) throw new Error('no table');
  return { ...base, ...overrides };
}

async function refusal(table: TableSpec): Promise<string> {
  const error = await createTransformCheckActivities(harness.deps).checkTransform({ table, sourceColumns: columns }).then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  if (!error) throw new Error('checkTransform accepted it');
  return error.message;
}

const sqlStep = (query: string): TableSpec['transform'][number] => ({ kind: 'sql', body: { file: 'step.sql', query } });

beforeAll(async () => {
  harness = await createHarness();
  scratch = await mkdtemp(join(tmpdir(), 'etl-sandbox-'));
  await writeFile(decoy(), 'secret\nhunter2\n');
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  await harness.close();
});

describe('user SQL is checked in the plan step and refused, naming the step', () => {
  const keep = (text: string) => tableWith({ transform: [{ kind: 'filter', body: { rule: 'probe', keep: text } }] });
  const derive = (text: string) => tableWith({ transform: [{ kind: 'derive', body: { leak: text } }] });
  const measure = (text: string) => tableWith({ rollups: [{ target: 'test_sandbox_wh.daily', refreshBy: 'note', groupBy: ['note'], measures: { total: text } }] });
  const cases: [string, () => TableSpec, RegExp][] = [
    ['keep: read_text of /etc/passwd in a subquery', () => keep("length((SELECT content FROM read_text('/etc/passwd'))) > 0"), /transform\[0\] \(filter probe\) keep is refused: it (holds a subquery|calls the table function read_text)/],
    ['keep: EXISTS over read_csv of a local file', () => keep(`EXISTS (SELECT * FROM read_csv('${decoy()}'))`), /transform\[0\] \(filter probe\) keep is refused/],
    ['keep: a second statement (COPY … TO)', () => keep(`true); COPY (SELECT 1) TO '${written()}'; SELECT (1`), /transform\[0\] \(filter probe\) keep is refused: it holds a statement other than SELECT/],
    ['keep: escaping the expression to ATTACH a database', () => keep(`amount > 0) AS etl_value FROM etl_expression_check; ATTACH '${join(scratch, 'x.db')}' AS x; SELECT (1`), /keep is refused: it holds a statement other than SELECT/],
    ['derive: read_text of /etc/passwd', () => derive("(SELECT content FROM read_text('/etc/passwd'))"), /transform\[0\] \(derive\) column leak is refused/],
    ['derive: /proc/self/environ', () => derive("(SELECT content FROM read_text('/proc/self/environ'))"), /column leak is refused/],
    ['derive: getenv', () => derive("getenv('SOURCE_DATABASE_URL')"), /column leak is refused: it calls getenv\(\)/],
    ['derive: current_setting', () => derive("current_setting('allowed_directories')"), /column leak is refused: it calls current_setting\(\)/],
    ['derive: read_parquet of a local file', () => derive(`(SELECT count(*) FROM read_parquet('${join(scratch, 'x.parquet')}'))`), /column leak is refused/],
    ['derive: a second column smuggled in', () => derive("1) AS a, (SELECT content FROM read_text('/etc/hostname')"), /column leak is refused: it is not a single expression/],
    ['sql: read_text in the select list', () => tableWith({ transform: [sqlStep("SELECT *, (SELECT content FROM read_text('/etc/hostname')) AS leak FROM input")] }), /transform\[0\] \(sql step\.sql\) is refused: it calls the table function read_text\(\)/],
    ['sql: a second statement COPY … TO', () => tableWith({ transform: [sqlStep(`SELECT * FROM input; COPY (SELECT 1) TO '${written()}'`)] }), /\(sql step\.sql\) is refused: it holds a statement other than SELECT/],
    ['sql: SET enable_external_access', () => tableWith({ transform: [sqlStep('SET enable_external_access = true')] }), /\(sql step\.sql\) is refused: it holds a statement other than SELECT/],
    ['sql: PRAGMA', () => tableWith({ transform: [sqlStep('PRAGMA database_list')] }), /\(sql step\.sql\) is refused/],
    ['sql: INSTALL', () => tableWith({ transform: [sqlStep('INSTALL httpfs')] }), /\(sql step\.sql\) is refused/],
    ['sql: LOAD', () => tableWith({ transform: [sqlStep('LOAD httpfs')] }), /\(sql step\.sql\) is refused/],
    ['sql: ATTACH', () => tableWith({ transform: [sqlStep(`ATTACH '${join(scratch, 'x.db')}' AS x`)] }), /\(sql step\.sql\) is refused/],
    ['sql: a file named as a table (replacement scan)', () => tableWith({ transform: [sqlStep(`SELECT i.* FROM input i, '${decoy()}'`)] }), /\(sql step\.sql\) is refused: it reads ".*decoy\.csv"/],
    ['sql: UNION with read_csv', () => tableWith({ transform: [sqlStep(`SELECT * FROM input UNION ALL SELECT * FROM read_csv('${decoy()}')`)] }), /is refused: it calls the table function read_csv\(\)/],
    ['sql: subquery over glob in WHERE', () => tableWith({ transform: [sqlStep("SELECT * FROM input WHERE note IN (SELECT file FROM glob('/etc/*'))")] }), /is refused: it calls the table function glob\(\)/],
    ['measure: a statement after the aggregate', () => measure('sum(amount) FROM input; DROP TABLE x; --'), /rollup test_sandbox_wh\.daily measure total \("sum\(amount\) FROM input; DROP TABLE x; --"\) is refused: expected count\(\*\)/],
    ['measure: a subquery over read_text', () => measure("(SELECT count(*) FROM read_text('/etc/passwd'))"), /measure total .* is refused/],
    ['measure: getenv inside an aggregate', () => measure("max(getenv('HOME'))"), /measure total .* is refused/],
  ];

  it.each(cases)('%s', async (_name, table, expected) => {
    const message = await refusal(table());
    expect(message).toMatch(/^table events: /);
    expect(message).toMatch(expected);
    expect(message).not.toContain('hunter2');
    expect(existsSync(written())).toBe(false);
    expect(existsSync(join(scratch, 'x.db'))).toBe(false);
  });

  it('refuses a hostile rollup measure when the pipeline file is validated, showing the measure', () => {
    const text = JSON.stringify({ name: 'sandbox', lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [{ ...tableWith({}), rollups: [{ target: 'a.b', refreshBy: 'note', groupBy: ['note'], measures: { total: "(SELECT content FROM read_text('/etc/passwd'))" } }] }] });
    expect(() => parsePipeline({ file: 'sandbox.yaml', text })).toThrow(/tables\[0\]\.rollups\[0\]\.measures\.total: "\(SELECT content FROM read_text\('\/etc\/passwd'\)\)" is not a rollup measure/);
  });

  it('still accepts ordinary expressions, sql files and measures', async () => {
    const table = tableWith({
      transform: [
        { kind: 'filter', body: { rule: 'positive', keep: "amount > 0 AND note <> ';'" } },
        { kind: 'derive', body: { shout: "upper(note) || '!'", n: 'row_number() OVER (ORDER BY event_id)' } },
        sqlStep('WITH kept AS (SELECT * FROM input WHERE event_id > 0) SELECT * FROM kept'),
      ],
      rollups: [{ target: 'a.daily', refreshBy: 'note', groupBy: ['note'], measures: { rows: 'count(*)', total: 'sum(amount)', notes: 'count(DISTINCT note)' } }],
    });
    const result = await createTransformCheckActivities(harness.deps).checkTransform({ table, sourceColumns: columns });
    expect(result.columns.map((column) => column.name)).toEqual(['event_id', 'note', 'amount', 'shout', 'n']);
  });
});

describe('a DuckDB session is sealed even if something got past the check', () => {
  it('reads and writes its own spool folder, and nothing else', async () => {
    const spool = join(scratch, 'spool-a');
    const neighbour = join(scratch, 'spool-b');
    await mkdir(spool, { recursive: true });
    await mkdir(neighbour, { recursive: true });
    await writeFile(join(neighbour, 'rows.csv'), 'x\n1\n');
    const attempts = [
      "SELECT * FROM read_text('/etc/passwd')",
      "SELECT * FROM read_text('/proc/self/environ')",
      `SELECT * FROM read_csv('${decoy()}')`,
      `SELECT * FROM read_csv('${join(neighbour, 'rows.csv')}')`,
      `SELECT * FROM read_csv('${spool}/../spool-b/rows.csv')`,
      `COPY (SELECT 1) TO '${written()}'`,
      `ATTACH '${join(scratch, 'x.db')}' AS x`,
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET enable_external_access = true',
      "SET allowed_directories = ['/']",
      `PRAGMA profiling_output = '${written()}'`,
      "SET temp_directory = '/tmp'",
    ];
    const outcomes = await withDuckdb({ duckdb: harness.deps.duckdb, spool, context: { step: 'sandbox' } }, async (connection) => {
      await connection.run(`COPY (SELECT 42 AS answer) TO '${join(spool, 'own.csv')}' (HEADER true)`);
      const own = (await connection.runAndReadAll(`SELECT answer FROM read_csv('${join(spool, 'own.csv')}')`)).getRows();
      const refused: string[] = [];
      for (const sql of attempts) {
        await connection.run(sql).then(
          () => undefined,
          (error: unknown) => refused.push(sql + ' → ' + String(error)),
        );
      }
      return { own, refused };
    });
    expect(outcomes.own).toEqual([[42n]]);
    expect(outcomes.refused).toHaveLength(attempts.length);
    expect(outcomes.refused.join('\n')).toMatch(/(Permission|Invalid Input) Error/);
    expect(existsSync(written())).toBe(false);
    expect(existsSync(join(scratch, 'x.db'))).toBe(false);
  });
});

describe('on the real stack', () => {
  const target = 'test_sandbox_wh.events';

  function pipelineWith(table: Record<string, unknown>): Pipeline {
    const base = { name: 'events', source: 'test_sandbox.events', target, primaryKey: ['event_id'], mode: 'merge', watermark: 'updated_at' };
    return parsePipeline({ file: 'sandbox.yaml', text: JSON.stringify({ name: 'sandbox', lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [{ ...base, ...table }] }) });
  }

  beforeAll(async () => {
    await harness.source.query('DROP SCHEMA IF EXISTS test_sandbox CASCADE; CREATE SCHEMA test_sandbox');
    await harness.source.query('CREATE TABLE test_sandbox.events (event_id bigint PRIMARY KEY, note text, amount numeric(10,2), updated_at timestamptz NOT NULL)');
    await harness.source.query("INSERT INTO test_sandbox.events SELECT i, CASE WHEN i % 2 = 0 THEN 'n' || i END, i * 1.5, now() FROM generate_series(1, 20) i");
    await resetWarehouse(harness.warehouse, ['test_sandbox_wh']);
  await forgetPipelineState(harness.warehouse, 'sandbox');
  });

  it('fails a run whose derive reads /etc/passwd in the plan step, and loads nothing', async () => {
    const error = await harness.run(pipelineWith({ transform: [{ derive: { leak: "(SELECT content FROM read_text('/etc/passwd'))" } }] })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(describeError(error)).toMatch(/^table events: transform\[0\] \(derive\) column leak is refused: /);
    const tables = await harness.warehouse.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'test_sandbox_wh'");
    expect(tables.rowCount).toBe(0);
  });

  it('stores a hostile fillNulls value as the text it is, running nothing', async () => {
    const hostile = `x'); COPY (SELECT 1) TO '${written()}'; SELECT ('\\ $$ "quoted" — ünïcode`;
    const manifest = await harness.run(pipelineWith({ transform: [{ fillNulls: { note: hostile } }] }));
    expect(manifest.tables[0]).toMatchObject({ extractedRows: 20, loadedRows: 20 });
    const filled = await harness.warehouse.query<{ note: string; rows: string }>(`SELECT note, count(*) AS rows FROM ${target} WHERE event_id % 2 = 1 GROUP BY note`);
    expect(filled.rows).toEqual([{ note: hostile, rows: '10' }]);
    expect(existsSync(written())).toBe(false);
  });
});
