import { WorkflowFailedError } from '@temporalio/client';
import { describeError } from '../../src/client/errors';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;

/** One table over test_late.events into its own target, as pipeline `name`. */
function pipeline(name: string, table: Record<string, unknown> = {}): Pipeline {
  const base = { name: 'events', source: 'test_late.events', target: `test_late_wh.${name.replace(/-/g, '_')}`, primaryKey: ['event_id'], mode: 'incremental', watermark: 'updated_at' };
  return parsePipeline({ file: 'late.yaml', text: JSON.stringify({ name, lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [{ ...base, ...table }] }) });
}

async function targetRows(target: string): Promise<number> {
  const result = await harness.warehouse.query<{ n: string }>(`SELECT count(*) AS n FROM ${target}`);
  return Number(result.rows[0]?.n);
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_late CASCADE; CREATE SCHEMA test_late');
  await harness.source.query('CREATE TABLE test_late.events (event_id bigint PRIMARY KEY, v text, updated_at timestamptz NOT NULL)');
  await harness.source.query("INSERT INTO test_late.events SELECT i, 'v' || i, timestamptz '2026-01-01 10:00:00+00' + i * interval '1 minute' FROM generate_series(1, 100) i");
  await resetWarehouse(harness.warehouse, ['test_late_wh']);
  await harness.warehouse.query("DELETE FROM etl_state.watermarks WHERE pipeline LIKE 'late-%'").catch(() => undefined);
});
afterAll(() => harness.close());

describe('a watermark that looks back', () => {
  it('picks up a row committed late with an older watermark value, which a plain watermark misses', async () => {
    const plain = pipeline('late-plain');
    const lookingBack = pipeline('late-lookback', { lookback: '30 minutes' });
    await harness.run(plain);
    await harness.run(lookingBack);
    // A transaction that began before the last run commits now: its updated_at is older than the saved watermark.
    await harness.source.query("INSERT INTO test_late.events VALUES (1000, 'late', timestamptz '2026-01-01 11:30:00+00')");

    const missed = await harness.run(plain);
    const found = await harness.run(lookingBack);
    expect(missed.tables[0]?.extractedRows).toBe(0);
    expect(await targetRows('test_late_wh.late_plain')).toBe(100);
    // The 30 minutes before 11:40 hold rows 71..100 and the late one; the re-read rows merge by key.
    expect(found.tables[0]?.extractedRows).toBe(31);
    expect(found.tables[0]?.window).toMatchObject({ from: '2026-01-01 11:10:00+00', to: '2026-01-01 11:40:00+00' });
    expect(await targetRows('test_late_wh.late_lookback')).toBe(101);
  });

  it('refuses a lookback that does not fit the watermark column, before any data moves', async () => {
    const error = await harness.run(pipeline('late-bad', { lookback: 'soon' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(describeError(error)).toBe('table events: lookback "soon" does not fit watermark column "updated_at" (timestamp with time zone); expected an interval such as "15 minutes"');
    const tables = await harness.warehouse.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'test_late_wh' AND table_name = 'late_bad'");
    expect(tables.rowCount).toBe(0);
  });
});
