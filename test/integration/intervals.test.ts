import { randomUUID } from 'node:crypto';
import type { ScheduleHandle } from '@temporalio/client';
import { createOrUpdateSchedule } from '../../src/client/schedules';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { ETL_INTERVAL_END, ETL_RUN_DATE } from '../../src/common/search-attributes';
import type { RunManifest } from '../../src/workflows';
import { etl, temporalCli, waitFor } from '../support/commands';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;
const schedules: ScheduleHandle[] = [];
const ZONE = 'Europe/Paris';

/** One interval table cut on ordered_at, scheduled nightly at 02:00 Paris time. */
function pipeline(name: string): Pipeline {
  const table = { name: 'orders', source: 'test_iv.orders', target: `test_iv_wh.${name.replace(/-/g, '_')}`, primaryKey: ['order_id'], window: 'interval', eventTime: 'ordered_at' };
  const spec = { name, lake: { bucket: LOCAL_STACK.lakeBucket }, schedule: { cron: '0 2 * * *', timezone: ZONE }, tables: [table] };
  return parsePipeline({ file: `${name}.yaml`, text: JSON.stringify(spec) });
}

/** The source rows of some Paris days, as text in key order: written here, independent of the project's SQL. */
async function sourceRows(days: string[]): Promise<string[]> {
  const result = await harness.source.query<{ r: string }>(
    `SELECT order_id || '|' || amount || '|' || (ordered_at AT TIME ZONE 'UTC')::text AS r FROM test_iv.orders WHERE (ordered_at AT TIME ZONE '${ZONE}')::date::text = ANY($1) ORDER BY order_id`,
    [days],
  );
  return result.rows.map((row) => row.r);
}

async function warehouseRows(target: string): Promise<string[]> {
  const result = await harness.warehouse.query<{ r: string }>(`SELECT order_id || '|' || amount || '|' || (ordered_at AT TIME ZONE 'UTC')::text AS r FROM ${target} ORDER BY order_id`);
  return result.rows.map((row) => row.r);
}

/** The manifests of a schedule's runs once `count` have finished, in run-date order. */
async function finishedRuns(handle: ScheduleHandle, count: number): Promise<RunManifest[]> {
  const actions = await waitFor(`${count} runs of ${handle.scheduleId}`, async () => {
    const { recentActions } = (await handle.describe()).info;
    return recentActions.length >= count ? recentActions : undefined;
  }, 180_000);
  const manifests = await Promise.all(actions.map((action) => harness.client.workflow.getHandle<() => Promise<RunManifest>>(action.action.workflow.workflowId).result()));
  return manifests.sort((a, b) => a.runDate.localeCompare(b.runDate));
}

beforeAll(async () => {
  harness = await createHarness();
  await harness.source.query('DROP SCHEMA IF EXISTS test_iv CASCADE; CREATE SCHEMA test_iv');
  await harness.source.query('CREATE TABLE test_iv.orders (order_id bigint PRIMARY KEY, amount numeric(10,2) NOT NULL, ordered_at timestamptz)');
  // Every 37 minutes from 2026-03-31 20:00 UTC: rows on both sides of each Paris midnight (22:00 UTC in April), 5 days.
  await harness.source.query("INSERT INTO test_iv.orders SELECT i, i * 1.25, timestamptz '2026-03-31 20:00:00+00' + i * interval '37 minutes' FROM generate_series(1, 200) i");
  await resetWarehouse(harness.warehouse, ['test_iv_wh']);
});
afterAll(async () => {
  for (const handle of schedules) await handle.delete().catch(() => undefined);
  await harness.close();
});

describe('runs that mean a period', () => {
  it('a 3-day backfill loads each day in its own run; re-running a day changes nothing; temporal schedule backfill runs every day', async () => {
    const spec = pipeline(`iv-${randomUUID().slice(0, 8)}`);
    const target = spec.tables[0]?.target ?? '';
    const worker = await harness.worker();
    await worker.runUntil(async () => {
      const { handle } = await createOrUpdateSchedule({ client: harness.client, pipeline: spec, settings: harness.settings });
      schedules.push(handle);
      const backfill = await etl(harness.settings, 'schedule', 'backfill', handle.scheduleId, '--from', '2026-04-01', '--to', '2026-04-03');
      expect(backfill.status).toBe(0);
      const runs = await finishedRuns(handle, 3);
      expect(runs.map((run) => run.runDate)).toEqual(['2026-04-01', '2026-04-02', '2026-04-03']);
      for (const run of runs) {
        expect(run.interval).toMatchObject({ source: 'scheduled', timeZone: ZONE, start: new Date(`${run.runDate}T00:00:00+02:00`).toISOString() });
        expect(run.tables[0]?.extractedRows).toBe((await sourceRows([run.runDate])).length);
      }
      expect(await warehouseRows(target)).toEqual(await sourceRows(['2026-04-01', '2026-04-02', '2026-04-03']));
      // The interval is searchable: the run whose interval holds noon of 04-02 in Paris is the 04-02 run, and it
      // ends where the 04-03 run begins.
      const noon = '2026-04-02T10:00:00Z';
      const found = await waitFor('the run covering 04-02 by EtlIntervalStart/End', async () => {
        const matches = [];
        for await (const execution of harness.client.workflow.list({ query: `EtlPipeline = '${spec.name}' AND EtlIntervalStart <= '${noon}' AND EtlIntervalEnd > '${noon}'` })) matches.push(execution);
        return matches.length > 0 ? matches : undefined;
      });
      expect(found.map((execution) => execution.typedSearchAttributes.get(ETL_RUN_DATE))).toEqual(['2026-04-02']);
      expect(found.map((execution) => execution.typedSearchAttributes.get(ETL_INTERVAL_END)?.toISOString())).toEqual([runs[2]?.interval.start]);

      // Plain Temporal CLI: the firings of 04-05..04-07 (02:00 Paris) cover 04-04..04-06; buffered, every one runs.
      // (The CLI sends Skip unless told otherwise, overriding the schedule's own buffer-all: README says so.)
      const plain = await temporalCli(harness.settings, 'schedule', 'backfill', '--schedule-id', handle.scheduleId, '--start-time', '2026-04-04T22:30:00Z', '--end-time', '2026-04-07T01:00:00Z', '--overlap-policy', 'BufferAll');
      expect(plain.stderr).toBe('');
      const all = await finishedRuns(handle, 6);
      expect(all.map((run) => run.runDate)).toEqual(['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06']);
    });
    const days = ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06'];
    const before = await warehouseRows(target);
    expect(before).toEqual(await sourceRows(days));

    const again = await harness.run(spec, '2026-04-02');
    expect(again.tables[0]?.extractedRows).toBe((await sourceRows(['2026-04-02'])).length);
    expect(await warehouseRows(target)).toEqual(before);
  }, 600_000);

  it('an ad-hoc run goes on from the latest interval end loaded, never back to a backfilled day', async () => {
    const spec = pipeline(`iv-adhoc-${randomUUID().slice(0, 8)}`);
    const target = spec.tables[0]?.target ?? '';
    await harness.run(spec, '2026-04-03');
    const adHoc = await harness.run(spec, null);
    expect(adHoc.interval).toMatchObject({ source: 'ad-hoc' });
    // From the end of 04-03 (Paris) up to now: every later row of the source.
    const later = await harness.source.query<{ n: string }>(`SELECT count(*) AS n FROM test_iv.orders WHERE ordered_at >= timestamptz '2026-04-04 00:00:00 ${ZONE}'`);
    expect(adHoc.tables[0]?.extractedRows).toBe(Number(later.rows[0]?.n));
    await harness.run(spec, '2026-04-01');
    const next = await harness.run(spec, null);
    expect(next.tables[0]?.extractedRows).toBe(0);
    expect(await warehouseRows(target)).toEqual(await sourceRows(['2026-04-01', '2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06', '2026-04-07', '2026-04-08']));
  });
});
