import { defaultPayloadConverter } from '@temporalio/common';
import { detachMessage } from '../../src/client/follow-run';
import { formatProgressLine } from '../../src/client/format-progress';
import { liveTableProgress } from '../../src/client/live-table-progress';
import { summarizeProgress, type RunProgress, type TableProgress } from '../../src/workflows/progress';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => T0 + seconds * 1000;
const iso = (seconds: number) => new Date(at(seconds)).toISOString();
const progress = (tables: TableProgress[], extra: Partial<RunProgress> = {}): RunProgress => ({
  pipeline: 'demo', runId: 'r', runDate: '2026-01-01', status: 'running', step: 'tables', startedAt: iso(0), tablesStartedAt: iso(10), tables, ...extra,
});

describe('run progress', () => {
  it('has no ETA while planning, nor before any work was done (no rate yet)', () => {
    expect(summarizeProgress(progress([{ table: 'a', stage: 'waiting' }], { step: 'plan', tablesStartedAt: undefined }), at(5))).toMatchObject({ elapsedSeconds: 5, etaSeconds: undefined, fraction: undefined });
    const started = summarizeProgress(progress([{ table: 'a', stage: 'extract', sourceRows: 1000 }]), at(60));
    expect(started).toMatchObject({ etaSeconds: undefined, fraction: 0, rows: { extracted: 0, transformed: 0, loaded: 0, planned: 1000 } });
    // A 3-row dimension done first is no rate for 200,000 sales rows: under 1% of the work, still no ETA.
    const dimension = { table: 'products', stage: 'done', sourceRows: 3, extractedRows: 3, transformedRows: 3, loadedRows: 3 } as const;
    expect(summarizeProgress(progress([dimension, { table: 'sales', stage: 'extract', sourceRows: 200_000, extractedRows: 1990 }]), at(20)).etaSeconds).toBeUndefined();
    expect(summarizeProgress(progress([dimension, { table: 'sales', stage: 'extract', sourceRows: 200_000, extractedRows: 6000 }]), at(20)).etaSeconds).toBeGreaterThan(0);
  });

  it('counts rows through extract, transform and load, and takes the ETA from the rate since the tables started', () => {
    // a: done (100 rows, 10 rejected, 90 loaded) = 300 units; b: extracted and transformed, load at 45 + 5 rejected = 250.
    const run = progress([
      { table: 'a', stage: 'done', sourceRows: 100, extractedRows: 100, transformedRows: 100, rejectedRows: 10, loadedRows: 90, bytes: 10 },
      { table: 'b', stage: 'load', sourceRows: 100, extractedRows: 100, transformedRows: 100, rejectedRows: 5, loadedRows: 45, bytes: 20 },
    ]);
    // 550 of 600 units in 55 working seconds: 10 units a second, 50 left: 5 seconds.
    expect(summarizeProgress(run, at(65))).toEqual({
      rows: { extracted: 200, transformed: 200, loaded: 135, planned: 200 },
      bytes: 30,
      tablesDone: 1,
      elapsedSeconds: 65,
      fraction: 550 / 600,
      etaSeconds: 5,
    });
  });

  it('does not count extraction as the whole run: all rows extracted is a third of the work', () => {
    const run = progress([{ table: 'a', stage: 'transform', sourceRows: 900, extractedRows: 900 }]);
    expect(summarizeProgress(run, at(40)).fraction).toBeCloseTo(1 / 3);
  });

  it('stands the ETA still while paused and leaves paused time out after resuming', () => {
    const tables: TableProgress[] = [{ table: 'a', stage: 'extract', sourceRows: 300, extractedRows: 100 }];
    // Paused at 30 s: 100 of 900 units in 20 working seconds, 5 a second, 800 left: 160 s, however long the pause.
    const paused = progress(tables, { status: 'paused', pausedAt: iso(30) });
    expect(summarizeProgress(paused, at(31)).etaSeconds).toBe(160);
    expect(summarizeProgress(paused, at(3600)).etaSeconds).toBe(160);
    // Resumed after 100 s of pause: at 140 s it has worked 30 s.
    const resumed = progress([{ ...tables[0]!, extractedRows: 150 }], { pausedSeconds: 100 });
    expect(summarizeProgress(resumed, at(140)).etaSeconds).toBe((900 - 150) / (150 / 30));
  });

  it('shows the ETA as unknown without a rate and marks it paused on the bar', () => {
    const none = progress([{ table: 'a', stage: 'extract', sourceRows: 10 }]);
    expect(formatProgressLine({ ...none, ...summarizeProgress(none, at(20)) })).toMatch(/rows extracted 0 \/ transformed 0 \/ loaded 0 of 10 .*ETA unknown/);
    const paused = progress([{ table: 'a', stage: 'extract', sourceRows: 300, extractedRows: 100 }], { status: 'paused', pausedAt: iso(30) });
    expect(formatProgressLine({ ...paused, ...summarizeProgress(paused, at(99)) })).toMatch(/PAUSED .*ETA 2:40 \(paused\)/);
  });

  it('tells how to cancel when Ctrl-C detaches from a followed run', () => {
    expect(detachMessage('demo-x')).toMatch(/the run goes on[\s\S]*etl cancel demo-x/);
  });
});

describe('live rows from the running step\'s heartbeat', () => {
  const pending = (activity: string, details: unknown) => [{ activityType: { name: activity }, heartbeatDetails: { payloads: [defaultPayloadConverter.toPayload(details)] } }];
  const table: TableProgress = { table: 'sales', stage: 'extract', sourceRows: 1000 };

  it('reads rows and bytes of the step the table is in', () => {
    const extract = pending('extractTable', { parts: [{ rows: 400, bytes: 7 }], done: false, step: 'extract', partsDone: 1, rows: 400, bytes: 7 });
    expect(liveTableProgress(table, extract)).toMatchObject({ extractedRows: 400, bytes: 7 });
    const transform = pending('transformTable', { step: 'transform', partsDone: 2, partsTotal: 2, rows: 1000, bytes: 0 });
    expect(liveTableProgress({ ...table, stage: 'transform', extractedRows: 1000, bytes: 9 }, transform)).toMatchObject({ transformedRows: 1000, bytes: 9 });
    const load = pending('loadIntoPostgres', { step: 'load', partsDone: 0, partsTotal: 2, rows: 600, bytes: 123 });
    expect(liveTableProgress({ ...table, stage: 'load' }, load)).toMatchObject({ loadedRows: 600 });
  });

  it('sums the parts of an older extract heartbeat and ignores a heartbeat of another step', () => {
    expect(liveTableProgress(table, pending('extractTable', { parts: [{ rows: 5, bytes: 1 }, { rows: 6, bytes: 2 }], done: false }))).toMatchObject({ extractedRows: 11, bytes: 3 });
    expect(liveTableProgress(table, pending('extractKeys', { rows: 99 }))).toEqual(table);
    expect(liveTableProgress(table, [])).toEqual(table);
  });
});
