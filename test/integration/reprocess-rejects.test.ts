import { randomUUID } from 'node:crypto';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { reprocessPipelineWorkflow, type ReprocessSummary, type RunManifest } from '../../src/workflows';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { deleteUnder, putObject, returnRows, returnsCsv } from '../support/files-landing';

let harness: Harness;
const SOURCE = 'test_rpw.orders';
/** The source as the 2026-06-01 run read it (kept here to compute what each day's raw run held). */
const DAY1 = 'test_rpw.day1';
/** Rows the 2026-06-02 run read: changed after the first run. */
const DAY2 = `(SELECT * FROM ${SOURCE} WHERE updated_at >= '2026-06-02') d2`;

/**
 * Two targets of one source table, `deletes: ignore` with a rollup and `deletes: soft`. v1 rejects negative
 * amounts and test orders; v2 accepts test orders and also rejects amounts of 150 or more.
 */
function pipelineOf(name: string, version: 1 | 2): Pipeline {
  const rules = [{ filter: { rule: 'negative_amount', keep: 'amount >= 0' } }, version === 1 ? { filter: { rule: 'test_order', keep: "status <> 'test'" } } : { filter: { rule: 'too_large', keep: 'amount < 150' } }];
  const base = { source: SOURCE, primaryKey: ['order_id'], mode: 'incremental', watermark: 'updated_at', transform: rules };
  const rollups = [{ target: `test_rpw_wh.per_status_${name}`, refreshBy: 'status', groupBy: ['status'], measures: { orders: 'count(*)', total: 'sum(amount)' } }];
  const tables = [
    { ...base, name: 'plain', target: `test_rpw_wh.plain_${name}`, rollups },
    { ...base, name: 'marked', target: `test_rpw_wh.marked_${name}`, deletes: 'soft' },
  ];
  return parsePipeline({ file: `${name}.yaml`, text: JSON.stringify({ name: `rpw-${name}`, lake: { bucket: LOCAL_STACK.lakeBucket }, tables }) });
}

async function texts(pool: typeof harness.source, sql: string): Promise<string[]> {
  return (await pool.query<{ r: string }>(sql)).rows.map((row) => row.r);
}

const asText = (table: string, where = 'true') => `SELECT order_id || '|' || amount || '|' || status AS r FROM ${table} WHERE ${where}`;

async function countOf(sql: string): Promise<number> {
  return Number((await harness.source.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) q`)).rows[0]?.n);
}

async function reprocess(pipeline: Pipeline, from: string, to: string): Promise<ReprocessSummary> {
  const worker = await harness.worker();
  // The source is out of reach: a reprocess that read it would fail.
  await harness.source.query('ALTER TABLE test_rpw.orders RENAME TO orders_away');
  try {
    return await worker.runUntil(harness.client.workflow.execute(reprocessPipelineWorkflow, {
      taskQueue: harness.settings.temporal.taskQueue,
      workflowId: `test-${pipeline.name}-reprocess-${randomUUID()}`,
      args: [{ pipeline, from, to }],
    }));
  } finally {
    await harness.source.query('ALTER TABLE test_rpw.orders_away RENAME TO orders');
  }
}

function tableOf(day: RunManifest | undefined, name: string) {
  return day?.tables.find((table) => table.table === name);
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_rpw CASCADE; CREATE SCHEMA test_rpw');
  await harness.source.query(`CREATE TABLE ${SOURCE} (order_id bigint PRIMARY KEY, amount numeric(10,2) NOT NULL, status text NOT NULL, updated_at timestamptz NOT NULL)`);
  // Amounts 0.50 to 199.50 (every 17th negative), every 10th a test order.
  await harness.source.query(`INSERT INTO ${SOURCE} SELECT i, CASE WHEN i % 17 = 0 THEN -1 ELSE 1 END * ((i * 37) % 200 + 0.5), CASE WHEN i % 10 = 0 THEN 'test' ELSE 'live' END, timestamptz '2026-06-01 00:00:00+00' + i * interval '1 minute' FROM generate_series(1, 200) i`);
  await resetWarehouse(harness.warehouse, ['test_rpw_wh']);
});
afterAll(() => harness.close());

describe('etl reprocess after a rule that rejects more', () => {
  it('removes the rows the new rules reject by key (plain and soft targets, rollups rebuilt), keeps keys a later raw run holds, and adds rows now accepted', async () => {
    const name = randomUUID().slice(0, 8);
    const [v1, v2] = [pipelineOf(name, 1), pipelineOf(name, 2)];
    await harness.run(v1, '2026-06-01');
    await harness.source.query(`CREATE TABLE ${DAY1} AS SELECT * FROM ${SOURCE}`);
    // Day 2 changes some large orders: a third become small (a later version v2 accepts), a third stay large.
    await harness.source.query(`UPDATE ${SOURCE} SET amount = amount - 100, updated_at = timestamptz '2026-06-02 00:00:00+00' + order_id * interval '1 second' WHERE amount >= 150 AND order_id % 3 = 0`);
    await harness.source.query(`UPDATE ${SOURCE} SET updated_at = timestamptz '2026-06-02 00:00:00+00' + order_id * interval '1 second' WHERE amount >= 150 AND order_id % 3 = 1`);
    await harness.run(v1, '2026-06-02');
    const targets = ['plain', 'marked'].map((table) => `test_rpw_wh.${table}_${name}`);
    for (const target of targets) expect(await texts(harness.warehouse, `${asText(target)} ORDER BY order_id`)).toEqual(await texts(harness.source, `${asText(SOURCE, "amount >= 0 AND status <> 'test'")} ORDER BY order_id`));

    // Day 1 alone under v2. Its rows v2 rejects leave both targets, unless day 2 read their key: those keep day 2's version.
    const first = await reprocess(v2, '2026-06-01', '2026-06-01');
    const expectedDay1 = `${asText(DAY1, `amount >= 0 AND amount < 150 AND order_id NOT IN (SELECT order_id FROM ${DAY2})`)}
      UNION ALL ${asText(SOURCE, `status <> 'test' AND order_id IN (SELECT order_id FROM ${DAY2})`)} ORDER BY 1`;
    const wanted = await texts(harness.source, expectedDay1);
    for (const target of targets) expect(await texts(harness.warehouse, `${asText(target)} ORDER BY 1`)).toEqual(wanted);
    const kept = await texts(harness.source, `SELECT order_id::text AS r FROM ${DAY2} WHERE amount < 150 AND status <> 'test' ORDER BY 1`);
    expect(kept.length).toBeGreaterThan(0);
    // Removed, not marked: no rule change deleted anything at the source.
    expect((await harness.warehouse.query(`SELECT 1 FROM ${targets[1]} WHERE is_deleted`)).rowCount).toBe(0);

    // The manifest: v2's rejects with their reason, the keys withdrawn (day 2's kept) and the rows removed.
    const rejectedLarge = await countOf(`SELECT 1 FROM ${DAY1} WHERE amount >= 150`);
    const withdrawnKeys = await countOf(`SELECT 1 FROM ${DAY1} WHERE (amount < 0 OR amount >= 150) AND order_id NOT IN (SELECT order_id FROM ${DAY2})`);
    const removedRows = await countOf(`SELECT 1 FROM ${DAY1} WHERE amount >= 150 AND status <> 'test' AND order_id NOT IN (SELECT order_id FROM ${DAY2})`);
    expect(removedRows).toBeGreaterThan(0);
    for (const table of ['plain', 'marked']) {
      const result = tableOf(first.days[0], table);
      expect(result?.rejectedByRule.too_large).toBe(rejectedLarge);
      expect(result?.withdrawn?.keys).toBe(withdrawnKeys);
      expect(result?.withdrawn?.rows).toBe(removedRows);
      expect(result?.withdrawn?.uri).toMatch(/^s3:\/\/.+\/rejected\/.+\/withdrawn-keys\.parquet$/);
    }
    const perStatus = (from: string) => `SELECT status || '|' || count(*) || '|' || sum(amount) AS r FROM ${from} GROUP BY status ORDER BY 1`;
    const rollup = `SELECT status || '|' || orders || '|' || total AS r FROM test_rpw_wh.per_status_${name} ORDER BY 1`;
    expect(await texts(harness.warehouse, rollup)).toEqual(await texts(harness.warehouse, perStatus(targets[0] ?? '')));

    // Both days in order: the warehouse is what fresh v2 runs of both days give, the source under v2's rules.
    const both = await reprocess(v2, '2026-06-01', '2026-06-02');
    const fresh = await texts(harness.source, `${asText(SOURCE, 'amount >= 0 AND amount < 150')} ORDER BY 1`);
    for (const target of targets) expect(await texts(harness.warehouse, `${asText(target)} ORDER BY 1`)).toEqual(fresh);
    expect(await texts(harness.warehouse, rollup)).toEqual(await texts(harness.source, perStatus(`${SOURCE} WHERE amount >= 0 AND amount < 150`)));
    const stillLarge = await countOf(`SELECT 1 FROM ${DAY2} WHERE amount >= 150`);
    expect(tableOf(both.days[1], 'plain')?.withdrawn?.rows).toBe(await countOf(`SELECT 1 FROM ${DAY2} WHERE amount >= 150 AND status <> 'test'`));
    expect(tableOf(both.days[1], 'plain')?.withdrawn?.keys).toBe(stillLarge);
    // Again: idempotent, nothing more to remove.
    const again = await reprocess(v2, '2026-06-01', '2026-06-02');
    for (const target of targets) expect(await texts(harness.warehouse, `${asText(target)} ORDER BY 1`)).toEqual(fresh);
    expect(again.days.flatMap((day) => day.tables.map((table) => table.withdrawn?.rows))).toEqual([0, 0, 0, 0]);
  }, 300_000);

  it('reprocesses a files table whose run set a malformed row aside: the raw parts\' rows reconcile, rows the new rule rejects leave', async () => {
    const name = randomUUID().slice(0, 8);
    const prefix = `test-rpw-${name}/landing/`;
    const rows = returnRows(1, 12);
    await putObject(harness.deps.s3, LOCAL_STACK.lakeBucket, `${prefix}a.csv`, returnsCsv(rows, { after: 2, line: '99,1099,not-a-number,2026-01-01 10:00:00,bad' }));
    const pipelineOf = (keep: string): Pipeline => {
      const table = { name: 'returns', kind: 'files', files: { prefix, glob: '*.csv', format: 'csv', header: true }, columns: { return_id: 'BIGINT', sale_id: 'BIGINT', amount: 'DECIMAL(12,2)', returned_at: 'TIMESTAMP', reason: 'VARCHAR' }, target: `test_rpw_wh.returns_${name}`, primaryKey: ['return_id'], mode: 'merge', transform: [{ filter: { rule: 'too_large', keep } }] };
      return parsePipeline({ file: 'returns.yaml', text: JSON.stringify({ name: `rpw-files-${name}`, lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [table] }) });
    };
    try {
      const run = await harness.run(pipelineOf('amount < 100'), '2026-06-05');
      expect(run.tables[0]).toMatchObject({ extractedRows: 13, loadedRows: 12, rejectedByRule: { malformed_row: 1 } });
      const summary = await reprocess(pipelineOf('amount < 10'), '2026-06-05', '2026-06-05');
      const table = summary.days[0]?.tables[0];
      const large = rows.filter((row) => Number(row.amount) >= 10);
      expect(table).toMatchObject({ extractedRows: 12, loadedRows: 12 - large.length, rejectedByRule: { too_large: large.length }, withdrawn: { keys: large.length, rows: large.length } });
      const left = await texts(harness.warehouse, `SELECT return_id || '|' || amount AS r FROM test_rpw_wh.returns_${name} ORDER BY return_id`);
      expect(left).toEqual(rows.filter((row) => Number(row.amount) < 10).map((row) => `${row.return_id}|${row.amount}`));
    } finally {
      await deleteUnder(harness.deps.s3, LOCAL_STACK.lakeBucket, `test-rpw-${name}/`);
    }
  }, 180_000);
});
