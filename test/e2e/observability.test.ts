import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { ETL_PIPELINE } from '../../src/common/search-attributes';
import { loadPipeline, type Pipeline } from '../../src/config';
import { seedDemoData } from '../../src/dev/seed';
import { nightlyEtlWorkflow, type RunManifest } from '../../src/workflows';
import { progressQuery } from '../../src/workflows/progress';
import { pauseSignal, resumeSignal } from '../../src/workflows/run-control';
import { waitFor } from '../support/commands';
import { dashboardExpressions, metricNamesIn, readDashboard } from '../support/dashboard';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { freePort } from '../support/free-port';
import { demoFromSource } from '../support/pipelines';

let harness: Harness;
let worker: ChildProcess;
let metricsUrl: string;
let logDir: string;
const taskQueue = `obs-${randomUUID()}`;

/** The worker's Prometheus text, or '' while it is not serving yet. */
async function scrape(): Promise<string> {
  const response = await fetch(metricsUrl).catch(() => undefined);
  return response?.ok ? response.text() : '';
}

/** The value of the first `name{…}` series carrying all of `labels`. */
function valueOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((candidate) => {
    if (!candidate.startsWith(`${name}{`)) return false;
    return Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`));
  });
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Polls the endpoint until `ready` holds (workflow metrics arrive just after the activation that emits them). */
async function scrapeUntil(ready: (text: string) => boolean): Promise<string> {
  let text = '';
  for (let attempt = 0; attempt < 200 && !ready(text); attempt += 1) {
    if (attempt > 0) await sleep(50);
    text = await scrape();
  }
  return text;
}

function run(pipeline: Pipeline): Promise<RunManifest> {
  return harness.client.workflow.execute(nightlyEtlWorkflow, { taskQueue, workflowId: `test-obs-${randomUUID()}`, args: [{ pipeline, runDate: '2026-03-01' }] });
}

beforeAll(async () => {
  harness = await createHarness();
  await seedDemoData({ pool: harness.source, rows: 20_000, seed: 3 });
  await resetWarehouse(harness.warehouse);
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  logDir = await mkdtemp(join(tmpdir(), 'etl-logs-'));
  // A real worker process (npm run worker), configured only through its environment.
  worker = spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts'], {
    env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, ETL_METRICS_PORT: String(port), ETL_LOG_DIR: logDir, LOG_LEVEL: 'info' },
    stdio: 'ignore',
  });
  await scrapeUntil((text) => text.includes('temporal_'));
});
afterAll(async () => {
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGTERM');
  await exited;
  await harness.close();
});

describe('a worker process with metrics and a log file', () => {
  it('serves the SDK metrics and the run values of the four pipeline metrics, per pipeline and table', async () => {
    const demo = await loadPipeline({ file: 'pipelines/demo.yaml' });
    const manifest = await run({ ...demo, name: 'observed' });
    const at = (table: string) => ({ pipeline: 'observed', table });
    const text = await scrapeUntil((current) => valueOf(current, 'etl_pipeline_duration_seconds_count', { pipeline: 'observed' }) !== undefined);
    for (const table of manifest.tables) {
      expect(valueOf(text, 'etl_records_processed_total', { ...at(table.table), stage: 'extract' })).toBe(table.extractedRows);
      expect(valueOf(text, 'etl_records_processed_total', { ...at(table.table), stage: 'rejected' })).toBe(table.rejectedRows);
      expect(valueOf(text, 'etl_records_processed_total', { ...at(table.table), stage: 'load' })).toBe(table.loadedRows);
      expect(valueOf(text, 'etl_data_quality_score', at(table.table))).toBeCloseTo(table.qualityScore, 6);
    }
    expect(valueOf(text, 'etl_pipeline_duration_seconds_sum', { pipeline: 'observed', status: 'succeeded' })).toBeCloseTo(manifest.seconds, 3);
    expect(valueOf(text, 'etl_pipeline_duration_seconds_count', { pipeline: 'observed', status: 'succeeded' })).toBe(1);
    expect(valueOf(text, 'temporal_workflow_completed_total', { workflow_type: 'nightlyEtlWorkflow' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'temporal_activity_execution_latency_count', { activity_type: 'loadIntoPostgres' })).toBe(manifest.tables.length);
    // Our series carry the SDK's base labels in the SDK's spelling: one style per endpoint.
    const ours = text.split('\n').filter((line) => line.startsWith('etl_'));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((line) => !line.includes(`task_queue="${taskQueue}"`) || /[a-z][A-Z]\w*="/.test(line))).toEqual([]);
    // The replica catch-up child reads in the Web UI too: a summary and the pipeline's search attribute.
    const catchUp = await harness.client.workflow.getHandle(`${manifest.runId}.replication`).describe();
    expect(await catchUp.staticSummary()).toBe('observed · replication catch-up (postgres logical, full-load-and-cdc): until the replica is in sync');
    expect(catchUp.typedSearchAttributes.get(ETL_PIPELINE)).toBe('observed');
  });

  it('counts a failed run in etl_errors_total by table and failure type', async () => {
    const demo = await loadPipeline({ file: 'pipelines/demo.yaml' });
    const broken = { ...demo, name: 'broken', replication: undefined, tables: demo.tables.slice(0, 1).map((table) => ({ ...table, source: 'raw.no_such_table' })) };
    await expect(run(broken)).rejects.toBeInstanceOf(WorkflowFailedError);
    const text = await scrapeUntil((current) => valueOf(current, 'etl_errors_total', { pipeline: 'broken' }) !== undefined);
    expect(valueOf(text, 'etl_errors_total', { pipeline: 'broken', table: '', type: 'SourceTableMissing' })).toBe(1);
    expect(valueOf(text, 'etl_pipeline_duration_seconds_count', { pipeline: 'broken', status: 'failed' })).toBe(1);
  });

  it('serves every series the Grafana dashboard names (after a succeeded and a failed run)', async () => {
    const text = await scrape();
    const served = new Set(text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(/[{ ]/)[0]));
    const names = [...new Set(dashboardExpressions(readDashboard()).flatMap(metricNamesIn))];
    expect(names.filter((name) => !served.has(name))).toEqual([]);
  });

  it('writes JSON logs to logs/ETLPipeline_YYYYMMDD_HHMMSS.log, activity records naming workflow, run, activity and table', async () => {
    const files = await readdir(logDir);
    expect(files).toEqual([expect.stringMatching(/^ETLPipeline_\d{8}_\d{6}\.log$/)]);
    const records = (await readFile(join(logDir, files[0] ?? ''), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const load = records.find((record) => record.msg === 'activity completed' && record.activityType === 'loadIntoPostgres' && record.table === 'sales');
    expect(load).toMatchObject({ pipeline: 'observed', activityType: 'loadIntoPostgres', table: 'sales' });
    expect(load?.workflowId).toMatch(/^test-obs-.*\.sales$/);
    expect(typeof load?.runId).toBe('string');
    expect(typeof load?.durationMs).toBe('number');
    const failed = records.find((record) => record.msg === 'run failed');
    expect(failed).toMatchObject({ workflowType: 'nightlyEtlWorkflow', pipeline: 'broken', type: 'SourceTableMissing' });
    expect(failed?.message).toEqual(expect.stringContaining('raw.no_such_table'));
    expect(typeof failed?.runId).toBe('string');

    // Every activity record names its pipeline and run; those of a table workflow (`<run>.<table>`) name the table.
    const activityRecords = records.filter((record) => typeof record.activityType === 'string');
    expect(activityRecords.length).toBeGreaterThan(20);
    const unnamed = activityRecords.filter((record) => [record.pipeline, record.runId, record.workflowId].some((value) => typeof value !== 'string'));
    expect(unnamed.map((record) => `${String(record.msg)} ${String(record.activityType)} ${String(record.workflowId)}`)).toEqual([]);
    for (const record of activityRecords) {
      // `<run>.<table>` is a table workflow; `<run>.replication` is the replica catch-up, which has no table.
      const table = /^test-obs-[^.]+\.(\w+)$/.exec(String(record.workflowId))?.[1];
      if (table && table !== 'replication') expect(record.table).toBe(table);
      expect(record).not.toHaveProperty('workflowRunId');
    }
    // A failure record has message, type and cause chain, never `{}`.
    const activityFailed = records.find((record) => record.msg === 'Activity failed' && record.pipeline === 'broken');
    const activityError = activityFailed?.error as { type?: unknown; message?: unknown } | undefined;
    expect(activityError?.type).toBe('SourceTableMissing');
    expect(String(activityError?.message)).toContain('raw.no_such_table');
    for (const record of records.filter((entry) => 'error' in entry)) {
      const error = record.error as { type?: unknown; message?: unknown };
      expect([typeof error.message, typeof error.type]).toEqual(['string', 'string']);
    }
    // No task tokens, no webpack report, ISO times.
    const raw = records.map((record) => JSON.stringify(record)).join('\n');
    expect(raw).not.toContain('taskToken');
    expect(raw).not.toMatch(/webpack [\d.]+ compiled|workflow-bundle-\w+\.js/);
    for (const record of records) expect(record.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
  it('serves the values of the tables done so far while the run is still going', async () => {
    // Read the source directly, so a lock on raw.sales holds the sales extract while the dimensions finish.
    // Without the files table: its load would finish beside the dimensions' and blur "the dimensions are done".
    const pipeline = { ...(await demoFromSource()), name: 'midrun' };
    const at = (table: string) => ({ pipeline: 'midrun', table });
    // Paused from the start, the run plans (which reads raw.sales) and then holds before its tables.
    const handle = await harness.client.workflow.signalWithStart(nightlyEtlWorkflow, {
      taskQueue,
      workflowId: `test-obs-${randomUUID()}`,
      args: [{ pipeline, runDate: '2026-03-02' }],
      signal: pauseSignal,
    });
    await waitFor('the run to hold before its tables', async () => ((await handle.query(progressQuery)).step === 'tables' ? true : undefined));
    const lock = await harness.source.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE raw.sales IN ACCESS EXCLUSIVE MODE');
      await handle.signal(resumeSignal);
      const progress = await waitFor('the dimensions to be loaded', async () => {
        const current = await handle.query(progressQuery);
        return current.tables.filter((table) => table.stage === 'done').length === 2 ? current : undefined;
      });
      const during = await scrapeUntil((text) => valueOf(text, 'etl_records_processed_total', { ...at('products'), stage: 'load' }) !== undefined);
      for (const table of progress.tables.filter((entry) => entry.stage === 'done')) {
        expect(valueOf(during, 'etl_records_processed_total', { ...at(table.table), stage: 'load' })).toBe(table.loadedRows);
      }
      expect(valueOf(during, 'etl_records_processed_total', { ...at('sales'), stage: 'extract' })).toBeUndefined();
      expect(valueOf(during, 'etl_pipeline_duration_seconds_count', { pipeline: 'midrun' })).toBeUndefined();
    } finally {
      await lock.query('COMMIT');
      lock.release();
    }
    const manifest = await handle.result();
    const after = await scrapeUntil((text) => valueOf(text, 'etl_pipeline_duration_seconds_count', { pipeline: 'midrun' }) !== undefined);
    const sales = manifest.tables.find((table) => table.table === 'sales');
    expect(valueOf(after, 'etl_records_processed_total', { ...at('sales'), stage: 'load' })).toBe(sales?.loadedRows);
    expect(valueOf(after, 'etl_data_quality_score', at('sales'))).toBeCloseTo(sales?.qualityScore ?? -1, 6);
  });
});
