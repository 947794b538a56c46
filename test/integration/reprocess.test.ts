import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { listKeys, putJson } from '../../src/runtime/lake';
import { reprocessPipelineWorkflow, type RunManifest } from '../../src/workflows';
import { etl } from '../support/commands';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;
let dir: string;
const SOURCE = 'test_rp.orders';
/** The runs of 2026-05-01 and 2026-05-02 of the first test's pipeline (no retention). */
const loaded: RunManifest[] = [];

interface Spec {
  name: string;
  /** The amount from which the derived amount_band is 'high': the rule the tests change. */
  threshold: number;
  retainRawDays?: number;
}

/** An interval table cut on ordered_at (UTC days) with one derived column; the spec as a user writes it. */
function spec(input: Spec): Record<string, unknown> {
  const band = `CASE WHEN amount >= ${input.threshold} THEN 'high' ELSE 'low' END`;
  const table = { name: 'orders', source: SOURCE, target: `test_rp_wh.${input.name.replace(/-/g, '_')}`, primaryKey: ['order_id'], window: 'interval', eventTime: 'ordered_at', transform: [{ derive: { amount_band: band } }] };
  return { name: input.name, lake: { bucket: LOCAL_STACK.lakeBucket, ...(input.retainRawDays ? { retainRawDays: input.retainRawDays } : {}) }, tables: [table] };
}

const parsed = (input: Spec): Pipeline => parsePipeline({ file: `${input.name}.yaml`, text: JSON.stringify(spec(input)) });

/** Writes the pipeline file the CLI reads. */
async function pipelineFile(input: Spec): Promise<string> {
  const file = join(dir, `${input.name}.yaml`);
  await writeFile(file, JSON.stringify(spec(input)));
  return file;
}

/** What the warehouse must hold for the days before `before`, written here over the source, independent of the project's SQL. */
async function expectedRows(threshold: number, before: string): Promise<string[]> {
  const sql = `SELECT order_id || '|' || amount || '|' || CASE WHEN amount >= $1 THEN 'high' ELSE 'low' END AS r FROM ${SOURCE} WHERE ordered_at < $2 ORDER BY order_id`;
  return (await harness.source.query<{ r: string }>(sql, [threshold, before])).rows.map((row) => row.r);
}

async function warehouseRows(pipeline: Pipeline): Promise<string[]> {
  const target = pipeline.tables[0]?.target ?? '';
  return (await harness.warehouse.query<{ r: string }>(`SELECT order_id || '|' || amount || '|' || amount_band AS r FROM ${target} ORDER BY order_id`)).rows.map((row) => row.r);
}

async function savedState(pipeline: string): Promise<unknown[]> {
  const watermarks = await harness.warehouse.query('SELECT table_name, watermark, run_id FROM etl_state.watermarks WHERE pipeline = $1', [pipeline]);
  const marks = await harness.warehouse.query('SELECT table_name, source_id, source_rows, run_id FROM etl_state.source_marks WHERE pipeline = $1', [pipeline]);
  return [watermarks.rows, marks.rows];
}

/** The raw-data keys of some runs in the lake. */
async function rawKeysOf(runs: RunManifest[]): Promise<string[]> {
  const keys = await listKeys({ s3: harness.deps.s3, bucket: LOCAL_STACK.lakeBucket, prefix: 'raw-data/orders/' });
  return keys.filter((key) => runs.some((run) => key.startsWith(`raw-data/orders/run_date=${run.runDate}/${run.runId}/`)));
}

beforeAll(async () => {
  harness = await createHarness();
  dir = await mkdtemp(join(tmpdir(), 'etl-reprocess-'));
  await harness.source.query('DROP SCHEMA IF EXISTS test_rp CASCADE; CREATE SCHEMA test_rp');
  await harness.source.query(`CREATE TABLE ${SOURCE} (order_id bigint PRIMARY KEY, amount numeric(10,2) NOT NULL, ordered_at timestamptz NOT NULL)`);
  // Every 25 minutes from 2026-05-01 00:00 UTC: 57 rows on 05-01, 58 on 05-02, 35 on 05-03; amounts 0.50 to 199.50.
  await harness.source.query(`INSERT INTO ${SOURCE} SELECT i, (i * 37) % 200 + 0.5, timestamptz '2026-05-01 00:00:00+00' + i * interval '25 minutes' FROM generate_series(0, 149) i`);
  await resetWarehouse(harness.warehouse, ['test_rp_wh']);
});
afterAll(async () => {
  await harness.source.query(`ALTER TABLE IF EXISTS test_rp.orders_away RENAME TO orders`).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await harness.close();
});

describe('etl reprocess', () => {
  it('transforms and loads two days again from the raw Parquet after a rule change, without reading the source; idempotent; watermarks kept', async () => {
    const name = `rp-${randomUUID().slice(0, 8)}`;
    const v1 = { name, threshold: 100 };
    const v2 = { name, threshold: 150 };
    // 05-01 runs twice: the reprocess reads the latest succeeded run of a day.
    const earlier = await harness.run(parsed(v1), '2026-05-01');
    for (const day of ['2026-05-01', '2026-05-02']) loaded.push(await harness.run(parsed(v1), day));
    expect(loaded[0]?.runId).not.toBe(earlier.runId);
    expect(await warehouseRows(parsed(v1))).toEqual(await expectedRows(100, '2026-05-03'));
    const before = await warehouseRows(parsed(v1));
    const state = await savedState(name);

    // The source is out of reach for the whole reprocess: a plan or extract against it would fail.
    await harness.source.query('ALTER TABLE test_rp.orders RENAME TO orders_away');
    const file = await pipelineFile(v2);
    const worker = await harness.worker();
    await worker.runUntil(async () => {
      const cli = await etl(harness.settings, 'reprocess', file, '--from', '2026-05-01', '--to', '2026-05-02');
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      for (const run of loaded) expect(cli.stdout).toContain(`reprocessed ${run.runDate} from ${run.runId}`);
    });
    await harness.source.query('ALTER TABLE test_rp.orders_away RENAME TO orders');

    const after = await warehouseRows(parsed(v2));
    expect(after).toEqual(await expectedRows(150, '2026-05-03'));
    // Only the rows the rule change touches differ: amounts in [100, 150) of the two days.
    const changed = after.filter((row, index) => row !== before[index]).map((row) => Number(row.split('|')[0]));
    const touched = await harness.source.query<{ id: string }>(`SELECT order_id AS id FROM ${SOURCE} WHERE amount >= 100 AND amount < 150 AND ordered_at < '2026-05-03' ORDER BY 1`);
    expect(changed).toEqual(touched.rows.map((row) => Number(row.id)));
    expect(changed.length).toBeGreaterThan(0);
    expect(await savedState(name)).toEqual(state);

    // Again, through the workflow: the same warehouse; each day's manifest names the raw run it read.
    const again = await harness.worker().then((second) => second.runUntil(harness.client.workflow.execute(reprocessPipelineWorkflow, {
      taskQueue: harness.settings.temporal.taskQueue,
      workflowId: `test-${name}-reprocess-${randomUUID()}`,
      args: [{ pipeline: parsed(v2), from: '2026-05-01', to: '2026-05-02' }],
    })));
    expect(await warehouseRows(parsed(v2))).toEqual(after);
    expect(again.days.map((day) => day.reprocessedFrom)).toEqual(loaded.map((run) => [{ runDate: run.runDate, runId: run.runId, uris: { orders: run.tables[0]?.uris.raw } }]));
    expect(again.days.map((day) => day.tables[0]?.loadedRows)).toEqual(loaded.map((run) => run.tables[0]?.loadedRows));

    // The nightly incremental goes on where the real runs left it: no rewind, no went-backwards stop.
    const next = await harness.run(parsed(v2), null);
    const later = await harness.source.query<{ n: string }>(`SELECT count(*) AS n FROM ${SOURCE} WHERE ordered_at >= '2026-05-03'`);
    expect(next.tables[0]?.extractedRows).toBe(Number(later.rows[0]?.n));
    expect(await warehouseRows(parsed(v2))).toEqual(await expectedRows(150, '2026-06-01'));
  }, 300_000);

  it('a day without raw data is reported, not skipped; nothing of the range is loaded', async () => {
    const name = loaded[0]?.pipeline ?? '';
    const file = await pipelineFile({ name, threshold: 120 });
    const before = await warehouseRows(parsed({ name, threshold: 120 }));
    const worker = await harness.worker();
    const cli = await worker.runUntil(etl(harness.settings, 'reprocess', file, '--from', '2026-05-02', '--to', '2026-05-03'));
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`pipeline ${name}, table orders, run date 2026-05-03, step reprocess: no raw data for this day`);
    expect(cli.stderr).toContain('etl run <pipeline.yaml> --run-date 2026-05-03');
    expect(await warehouseRows(parsed({ name, threshold: 120 }))).toEqual(before);
  }, 120_000);

  it('a run made before runs recorded their raw parts cannot be reprocessed, and says so', async () => {
    const [first] = loaded;
    if (!first) throw new Error('the first test loads the days');
    // The manifest such a run wrote: the same, without the per-table `raw` record.
    const old = { ...first, runDate: '2026-05-09', runId: `${first.runId}-old`, tables: first.tables.map(({ raw: _raw, ...table }) => table) };
    await putJson({ s3: harness.deps.s3, lake: { bucket: LOCAL_STACK.lakeBucket }, key: `manifests/run_date=2026-05-09/${old.runId}/_manifest.json`, value: old });
    const file = await pipelineFile({ name: first.pipeline, threshold: 120 });
    const worker = await harness.worker();
    const cli = await worker.runUntil(etl(harness.settings, 'reprocess', file, '--from', '2026-05-09', '--to', '2026-05-09'));
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`run date 2026-05-09, step reprocess: run ${old.runId} was made before runs recorded their raw parts and column types in the manifest, so it cannot be reprocessed from the lake`);
  }, 120_000);

  it('lake retention removes the pipeline\'s raw folders past retainRawDays, and reprocessing such a day says so', async () => {
    const keep = { name: `rp-keep-${randomUUID().slice(0, 8)}`, threshold: 100, retainRawDays: 2 };
    const runs: RunManifest[] = [];
    for (const day of ['2026-05-01', '2026-05-02']) runs.push(await harness.run(parsed(keep), day));
    expect(await rawKeysOf(runs)).toHaveLength(2);
    // 05-05 with 2 days kept: run dates before 05-03 go; this run's own folder stays.
    const latest = await harness.run(parsed(keep), '2026-05-05');
    expect(await rawKeysOf(runs)).toEqual([]);
    expect(await rawKeysOf([latest])).toHaveLength(1);
    // Another pipeline's raw folders of the same table and days are not its to remove.
    expect(await rawKeysOf(loaded)).toHaveLength(2);

    const file = await pipelineFile(keep);
    const worker = await harness.worker();
    const cli = await worker.runUntil(etl(harness.settings, 'reprocess', file, '--from', '2026-05-01', '--to', '2026-05-01'));
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`pipeline ${keep.name}, table orders, run date 2026-05-01, step reprocess: the raw data of run ${runs[0]?.runId}`);
    expect(cli.stderr).toContain('it is past the lake retention (lake.retainRawDays: 2)');
  }, 300_000);
});
