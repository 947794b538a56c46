import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ScheduleHandle } from '@temporalio/client';
import { createOrUpdateSchedule } from '../../src/client/schedules';
import { loadPipeline, type Pipeline } from '../../src/config';
import type { ScheduleSpec } from '../../src/config/schedule-schema';
import { seedDemoData } from '../../src/dev/seed';
import type { RunManifest } from '../../src/workflows';
import { previousDay } from '../../src/common/zoned-time';
import { dateInZone } from '../../src/workflows/run-date';
import { etl, waitFor } from '../support/commands';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;
let demo: Pipeline;
const schedules: ScheduleHandle[] = [];

beforeAll(async () => {
  harness = await createHarness();
  demo = await loadPipeline({ file: 'pipelines/demo.yaml' });
  await seedDemoData({ pool: harness.source, rows: 1000, seed: 3 });
  await resetWarehouse(harness.warehouse);
});
afterAll(async () => {
  for (const handle of schedules) await handle.delete().catch(() => undefined);
  await harness.close();
});

function scheduled(name: string, schedule: Partial<ScheduleSpec>): Pipeline {
  const spec: ScheduleSpec = { cron: '0 2 * * *', timezone: 'UTC', overlap: 'skip', catchupWindow: '1d', pauseOnFailure: false, ...schedule };
  return { ...demo, name: `${name}-${randomUUID().slice(0, 8)}`, schedule: spec };
}

async function create(pipeline: Pipeline): Promise<{ handle: ScheduleHandle; created: boolean }> {
  const result = await createOrUpdateSchedule({ client: harness.client, pipeline, settings: harness.settings });
  schedules.push(result.handle);
  return result;
}

/** The run dates of the runs a schedule started (oldest first), once `count` of them have finished. */
async function finishedRunDates(handle: ScheduleHandle, count: number): Promise<string[]> {
  const actions = await waitFor(`${count} runs of ${handle.scheduleId}`, async () => {
    const { recentActions } = (await handle.describe()).info;
    return recentActions.length >= count ? recentActions : undefined;
  });
  const runs = await Promise.all(
    actions.map(async (action) => {
      const run = harness.client.workflow.getHandle<() => Promise<RunManifest>>(action.action.workflow.workflowId);
      const manifest = await run.result();
      return { startTime: (await run.describe()).startTime.getTime(), runDate: manifest.runDate, scheduledAt: action.scheduledAt };
    }),
  );
  return runs.sort((a, b) => a.startTime - b.startTime).map((run) => run.runDate);
}

describe('Temporal Schedules for pipelines', () => {
  it('fires a near-term schedule, whose run completes for the day before the one it fired for; paused, it starts no more runs', async () => {
    const pipeline = scheduled('near', { cron: '@every 10s', timezone: 'Asia/Tokyo', catchupWindow: '1m' });
    const worker = await harness.worker();
    await worker.runUntil(async () => {
      const { handle } = await create(pipeline);
      const [first] = await waitFor('the schedule to fire', async () => {
        const { recentActions } = (await handle.describe()).info;
        return recentActions.length > 0 ? recentActions : undefined;
      });
      const manifest = (await harness.client.workflow.getHandle(first?.action.workflow.workflowId ?? '').result()) as RunManifest;
      expect(manifest.status).toBe('succeeded');
      expect(manifest.runDate).toBe(previousDay(dateInZone(first?.scheduledAt ?? new Date(), 'Asia/Tokyo')));
      expect(manifest.interval).toMatchObject({ source: 'scheduled', timeZone: 'Asia/Tokyo' });

      expect(await etl(harness.settings, 'schedule', 'pause', handle.scheduleId, '--note', 'test')).toMatchObject({ status: 0 });
      const paused = await handle.describe();
      expect(paused.state).toMatchObject({ paused: true, note: 'test' });
      // Past the next time it would have fired (every 10 s), nothing new started.
      await sleep(12_000);
      expect((await handle.describe()).info.numActionsTaken).toBe(paused.info.numActionsTaken);
    });
  });

  it('updates an existing schedule; trigger and a 3-day backfill run in order with the right run dates', async () => {
    const pipeline = scheduled('daily', {});
    const worker = await harness.worker();
    await worker.runUntil(async () => {
      expect((await create(pipeline)).created).toBe(true);
      const moved = { ...pipeline, schedule: { ...(pipeline.schedule as ScheduleSpec), timezone: 'Europe/Paris' } };
      const { handle, created } = await create(moved);
      expect(created).toBe(false);
      expect((await handle.describe()).spec.timezone).toBe('Europe/Paris');

      // What the UI and `etl schedule describe` show: pipeline, cron and the file's hash (changed by the edit), not a blob.
      const first = (await etl(harness.settings, 'schedule', 'describe', handle.scheduleId)).stdout;
      const action = (await handle.describe()).action as { staticSummary?: string; memo?: Record<string, unknown> };
      const hash = /^ {2}pipeline {6}(\S+) \((sha256:[0-9a-f]{12})\)$/m.exec(first);
      expect(hash?.[1]).toBe(pipeline.name);
      expect(action.memo).toEqual({ pipeline: pipeline.name, pipelineHash: hash?.[2], cron: '0 2 * * *', timezone: 'Europe/Paris' });
      expect(action.staticSummary).toBe(`${pipeline.name} nightly run · cron 0 2 * * * (Europe/Paris) · pipeline ${hash?.[2]}`);
      const edited = await create({ ...moved, extract: { ...moved.extract, partRows: moved.extract.partRows + 1 } });
      const editedHash = ((await edited.handle.describe()).action as { memo?: { pipelineHash?: string } }).memo?.pipelineHash;
      expect(editedHash).toMatch(/^sha256:[0-9a-f]{12}$/);
      expect(editedHash).not.toBe(hash?.[2]);
      await create(moved);
      const listed = await waitFor('the schedule by its EtlPipeline search attribute', async () => {
        const ids: string[] = [];
        for await (const summary of harness.client.schedule.list({ query: `EtlPipeline = '${pipeline.name}'` })) ids.push(summary.scheduleId);
        return ids.length > 0 ? ids : undefined;
      });
      expect(listed).toEqual([handle.scheduleId]);

      expect(await etl(harness.settings, 'schedule', 'trigger', handle.scheduleId)).toMatchObject({ status: 0 });
      const [today] = await finishedRunDates(handle, 1);
      expect(today).toBe(previousDay(dateInZone(new Date(), 'Europe/Paris')));

      const backfill = await etl(harness.settings, 'schedule', 'backfill', handle.scheduleId, '--from', '2026-03-01', '--to', '2026-03-03');
      expect(backfill.status).toBe(0);
      // Each 02:00 Paris run covers the day before: the firings of 03-02..03-04 process 03-01..03-03.
      expect((await finishedRunDates(handle, 4)).slice(1)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);

      const described = await etl(harness.settings, 'schedule', 'describe', handle.scheduleId);
      expect(described.stdout).toMatch(/cron {10}0 2 \* \* \* in Europe\/Paris/);
      expect(described.stdout).toMatch(/4 taken/);
    });
  });
});
