import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { parsePipeline, type Pipeline } from '../../src/config';
import { describeError } from '../../src/client/errors';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;

/** A one-table pipeline over test_bad.events, with overrides merged into the table. */
function pipelineWith(table: Record<string, unknown>): Pipeline {
  const base = { name: 'events', source: 'test_bad.events', target: 'test_bad_wh.events', primaryKey: ['event_id'], mode: 'merge', watermark: 'updated_at' };
  return parsePipeline({ file: 'bad.yaml', text: JSON.stringify({ name: 'bad-input', lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [{ ...base, ...table }] }) });
}

async function failureOf(pipeline: Pipeline, runDate?: string): Promise<string> {
  const error = await harness.run(pipeline, runDate).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return describeError(error);
}

async function warehouseTables(): Promise<string[]> {
  const result = await harness.warehouse.query<{ name: string }>("SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema = 'test_bad_wh'");
  return result.rows.map((row) => row.name);
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_bad CASCADE; CREATE SCHEMA test_bad');
  await harness.source.query(`CREATE TABLE test_bad.events (event_id bigint PRIMARY KEY, payload jsonb, flag boolean, amount numeric(10,2), updated_at timestamptz NOT NULL)`);
  await harness.source.query(`INSERT INTO test_bad.events SELECT i, jsonb_build_object('i', i), i % 2 = 0, i * 1.5, now() FROM generate_series(1, 100) i`);
  await resetWarehouse(harness.warehouse, ['test_bad_wh']);
  await forgetPipelineState(harness.warehouse, 'bad-input');
});
afterAll(() => harness.close());

describe('bad input fails with a message naming what is wrong, and loads nothing', () => {
  it('names a source table that does not exist', async () => {
    expect(await failureOf(pipelineWith({ source: 'test_bad.nope' }))).toBe('table events: source test_bad.nope does not exist in the source database');
    expect(await warehouseTables()).toEqual([]);
  });

  it('names a watermark column that does not exist', async () => {
    expect(await failureOf(pipelineWith({ watermark: 'changed_at' }))).toBe(
      'table events: watermark column "changed_at" does not exist in test_bad.events (columns: event_id, payload, flag, amount, updated_at)',
    );
    expect(await warehouseTables()).toEqual([]);
  });

  it('refuses a watermark column that cannot order changes', async () => {
    expect(await failureOf(pipelineWith({ watermark: 'flag' }))).toBe(
      'table events: watermark column "flag" is boolean, which cannot order changes; use a timestamp, date or integer column',
    );
    expect(await warehouseTables()).toEqual([]);
  });

  it('names the transform step and rule whose SQL is wrong', async () => {
    const message = await failureOf(pipelineWith({ transform: [{ trim: ['payload'] }, { filter: { rule: 'positive_amount', keep: 'amout > 0' } }] }));
    expect(message).toMatch(/^table events: transform\[1\] \(filter positive_amount\) is invalid: Binder Error: Referenced column "amout" not found/);
    expect(await warehouseTables()).toEqual([]);
  });

  it('names a primary key the transform output does not have', async () => {
    const message = await failureOf(pipelineWith({ primaryKey: ['id'] }));
    expect(message).toBe('table events: transform output has no column id (output: event_id, payload, flag, amount, updated_at)');
    expect(await warehouseTables()).toEqual([]);
  });

  it('names a rollup whose measure is wrong, before any data moves', async () => {
    const rollup = { target: 'test_bad_wh.daily', refreshBy: 'flag', groupBy: ['flag'], measures: { total: 'sum(amout)' } };
    const message = await failureOf(pipelineWith({ rollups: [rollup] }));
    expect(message).toMatch(/^table events: rollup test_bad_wh\.daily is invalid: Binder Error: Referenced column "amout" not found/);
    expect(await warehouseTables()).toEqual([]);
  });

  it('fails, counting the rows, when a sql step drops rows instead of rejecting them', async () => {
    const pipeline = pipelineWith({ transform: [{ sql: 'drop.sql' }] });
    const [step] = pipeline.tables[0]?.transform ?? [];
    if (step?.kind === 'sql') step.body.query = 'SELECT * FROM input WHERE event_id > 10';
    // A run date of its own, and only objects written since this test began: what this run left in the lake.
    const began = new Date(Date.now() - 1000);
    expect(await failureOf(pipeline, '2031-03-03')).toBe('table events: 100 rows in, 90 accepted + 0 rejected');
    expect(await warehouseTables()).toEqual([]);
    // The failed run extracted its raw files, then removed them as a cancelled run does.
    const listed = await Promise.all(['raw-data', 'processed-data', 'rejected'].map((kind) =>
      harness.deps.s3.send(new ListObjectsV2Command({ Bucket: LOCAL_STACK.lakeBucket, Prefix: `${kind}/events/run_date=2031-03-03/` }))));
    const left = listed.flatMap((page) => page.Contents ?? []).filter((object) => object.LastModified && object.LastModified >= began);
    expect(left.map((object) => object.Key)).toEqual([]);
  });

  it('loads the same table when the input is right', async () => {
    const manifest = await harness.run(pipelineWith({}));
    expect(manifest.tables[0]).toMatchObject({ extractedRows: 100, loadedRows: 100, rejectedRows: 0, qualityScore: 1 });
    expect(await warehouseTables()).toEqual(['test_bad_wh.events']);
  });
});
