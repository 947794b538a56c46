import { WorkflowFailedError } from '@temporalio/client';
import { describeError } from '../../src/client/errors';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;

/** One table test_drift.<name> → test_drift_wh.<name>, incremental on updated_at, as pipeline drift-<name>. */
function pipeline(name: string, onSchemaChange: string): Pipeline {
  const table = { name, source: `test_drift.${name}`, target: `test_drift_wh.${name}`, primaryKey: ['id'], mode: 'merge', watermark: 'updated_at', onSchemaChange };
  return parsePipeline({ file: 'drift.yaml', text: JSON.stringify({ name: `drift-${name}`, lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [table] }) });
}

async function createSource(name: string, columns: string, values: string): Promise<void> {
  await harness.source.query(`CREATE TABLE test_drift.${name} (id int PRIMARY KEY, ${columns}, updated_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00')`);
  await harness.source.query(`INSERT INTO test_drift.${name} SELECT i, ${values} FROM generate_series(1, 5) i`);
}

/** The target's columns and types as the warehouse catalog prints them. */
async function targetColumns(name: string): Promise<Record<string, string>> {
  const result = await harness.warehouse.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'test_drift_wh.${name}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
  );
  return Object.fromEntries(result.rows.map((row) => [row.name, row.type]));
}

/** Rows of `columns` rendered as text, by id, from one side. */
async function rows(side: 'source' | 'warehouse', name: string, columns: readonly string[]): Promise<string[][]> {
  const pool = side === 'source' ? harness.source : harness.warehouse;
  const schema = side === 'source' ? 'test_drift' : 'test_drift_wh';
  const rendered = columns.map((column) => `coalesce(${column}::text, '<NULL>')`).join(', ');
  const result = await pool.query<string[]>({ text: `SELECT ${rendered} FROM ${schema}.${name} ORDER BY id`, rowMode: 'array' });
  return result.rows;
}

async function savedWatermark(name: string): Promise<string | undefined> {
  const result = await harness.warehouse.query<{ watermark: string }>(`SELECT watermark FROM etl_state.watermarks WHERE pipeline = 'drift-${name}'`);
  return result.rows[0]?.watermark;
}

async function failure(run: Promise<unknown>): Promise<string> {
  const error = await run.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return describeError(error);
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_drift CASCADE; CREATE SCHEMA test_drift');
  await resetWarehouse(harness.warehouse, ['test_drift_wh']);
  await harness.warehouse.query("DELETE FROM etl_state.watermarks WHERE pipeline LIKE 'drift-%'").catch(() => undefined);
});
afterAll(() => harness.close());

describe('schema drift, decided before data moves', () => {
  it('add: fail stops naming the new column and moves nothing; evolve adds it and loads its values', async () => {
    await createSource('added', 'v int', 'i');
    await harness.run(pipeline('added', 'fail'));
    await harness.source.query('ALTER TABLE test_drift.added ADD COLUMN d numeric(8,3)');
    await harness.source.query("UPDATE test_drift.added SET d = id * 1.125, updated_at = '2026-01-02 00:00:00+00' WHERE id <= 2");
    const watermark = await savedWatermark('added');

    const message = await failure(harness.run(pipeline('added', 'fail')));
    expect(message).toContain('pipeline drift-added, table added (target test_drift_wh.added, onSchemaChange: fail): the source columns no longer match the target: column d is new in the source (numeric(8,3))');
    expect(message).toContain('onSchemaChange: evolve');
    expect(await targetColumns('added')).toEqual({ id: 'integer', v: 'integer', updated_at: 'timestamp with time zone' });
    expect(await savedWatermark('added')).toBe(watermark);

    const manifest = await harness.run(pipeline('added', 'evolve'));
    expect(manifest.tables[0]?.schemaChanges).toEqual(['added column d (numeric(8,3))']);
    expect(await targetColumns('added')).toEqual({ id: 'integer', v: 'integer', updated_at: 'timestamp with time zone', d: 'numeric(8,3)' });
    expect(await rows('warehouse', 'added', ['id', 'v', 'd', 'updated_at'])).toEqual(await rows('source', 'added', ['id', 'v', 'd', 'updated_at']));
  });

  it('drop: evolve stops loading the dropped column and never overwrites it with NULL', async () => {
    await createSource('dropped', 'v text, c text', "'v' || i, 'c' || i");
    await harness.run(pipeline('dropped', 'evolve'));
    await harness.source.query('ALTER TABLE test_drift.dropped DROP COLUMN c');
    await harness.source.query("UPDATE test_drift.dropped SET v = 'changed', updated_at = '2026-01-02 00:00:00+00' WHERE id <= 2");
    await harness.source.query("INSERT INTO test_drift.dropped (id, v, updated_at) VALUES (6, 'new', '2026-01-02 00:00:00+00')");

    expect(await failure(harness.run(pipeline('dropped', 'fail')))).toContain('column c (text) is no longer in the source');
    const manifest = await harness.run(pipeline('dropped', 'evolve'));
    expect(manifest.tables[0]).toMatchObject({ extractedRows: 3, loadedRows: 3, schemaChanges: ['stopped loading column c: the source no longer has it (its values are kept)'] });
    expect(await rows('warehouse', 'dropped', ['id', 'v', 'c'])).toEqual([
      ['1', 'changed', 'c1'], ['2', 'changed', 'c2'], ['3', 'v3', 'c3'], ['4', 'v4', 'c4'], ['5', 'v5', 'c5'], ['6', 'new', '<NULL>'],
    ]);
  });

  it('rename: fail names both columns; evolve adds the new name and keeps the old one', async () => {
    await createSource('renamed', 'c varchar(10)', "'c' || i");
    await harness.run(pipeline('renamed', 'fail'));
    await harness.source.query('ALTER TABLE test_drift.renamed RENAME COLUMN c TO c2');
    await harness.source.query("UPDATE test_drift.renamed SET c2 = 'moved', updated_at = '2026-01-02 00:00:00+00' WHERE id = 1");

    const message = await failure(harness.run(pipeline('renamed', 'fail')));
    expect(message).toContain('column c2 is new in the source (character varying(10)); column c (character varying(10)) is no longer in the source');
    await harness.run(pipeline('renamed', 'evolve'));
    expect(await targetColumns('renamed')).toEqual({ id: 'integer', c: 'character varying(10)', updated_at: 'timestamp with time zone', c2: 'character varying(10)' });
    expect(await rows('warehouse', 'renamed', ['id', 'c', 'c2'])).toEqual([['1', 'c1', 'moved'], ['2', 'c2', '<NULL>'], ['3', 'c3', '<NULL>'], ['4', 'c4', '<NULL>'], ['5', 'c5', '<NULL>']]);
  });

  it('type change: evolve refuses a change that is not a widening, naming column, old and new type', async () => {
    await createSource('retyped', 'v int', 'i');
    await harness.run(pipeline('retyped', 'evolve'));
    await harness.source.query('ALTER TABLE test_drift.retyped ALTER COLUMN v TYPE text USING v::text');
    await harness.source.query("UPDATE test_drift.retyped SET v = 'abc', updated_at = '2026-01-02 00:00:00+00' WHERE id = 1");
    const watermark = await savedWatermark('retyped');

    const message = await failure(harness.run(pipeline('retyped', 'evolve')));
    expect(message).toContain('table retyped (target test_drift_wh.retyped, onSchemaChange: evolve)');
    expect(message).toContain('column v changed type from integer to text, which is not a widening');
    expect(message).not.toContain('abc');
    expect(await savedWatermark('retyped')).toBe(watermark);
    expect(await targetColumns('retyped')).toMatchObject({ v: 'integer' });
  });

  it('widening: fail names old and new types; evolve widens the target in place and loads values that need it', async () => {
    await createSource('widened', 'n int, s varchar(10), m numeric(10,2)', "i, 's' || i, i + 0.5");
    await harness.run(pipeline('widened', 'fail'));
    await harness.source.query('ALTER TABLE test_drift.widened ALTER COLUMN n TYPE bigint, ALTER COLUMN s TYPE varchar(20), ALTER COLUMN m TYPE numeric(14,3)');
    await harness.source.query("INSERT INTO test_drift.widened VALUES (6, 1099511627776, 'fifteen chars!!', 12345678901.125, '2026-01-02 00:00:00+00')");

    const message = await failure(harness.run(pipeline('widened', 'fail')));
    expect(message).toContain('column n changed type from integer to bigint; column s changed type from character varying(10) to character varying(20); column m changed type from numeric(10,2) to numeric(14,3)');
    const manifest = await harness.run(pipeline('widened', 'evolve'));
    expect(manifest.tables[0]?.schemaChanges).toEqual([
      'widened column n from integer to bigint', 'widened column s from character varying(10) to character varying(20)', 'widened column m from numeric(10,2) to numeric(14,3)',
    ]);
    expect(await targetColumns('widened')).toEqual({ id: 'integer', n: 'bigint', s: 'character varying(20)', m: 'numeric(14,3)', updated_at: 'timestamp with time zone' });
    expect(await rows('warehouse', 'widened', ['id', 'n', 's', 'm'])).toEqual(await rows('source', 'widened', ['id', 'n', 's', 'm::numeric(14,3)']));
  });

  it('ignore: a new source column is not loaded, and the run says so', async () => {
    await createSource('ignored', 'v int', 'i');
    await harness.run(pipeline('ignored', 'ignore'));
    await harness.source.query('ALTER TABLE test_drift.ignored ADD COLUMN extra text');
    await harness.source.query("UPDATE test_drift.ignored SET v = 42, extra = 'x', updated_at = '2026-01-02 00:00:00+00' WHERE id = 3");
    const manifest = await harness.run(pipeline('ignored', 'ignore'));
    expect(manifest.tables[0]).toMatchObject({ loadedRows: 1, schemaChanges: ['not loading new column extra (onSchemaChange: ignore)'] });
    expect(await targetColumns('ignored')).toEqual({ id: 'integer', v: 'integer', updated_at: 'timestamp with time zone' });
    expect(await rows('warehouse', 'ignored', ['id', 'v'])).toEqual(await rows('source', 'ignored', ['id', 'v']));
  });
});
