import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Command } from 'commander';
import { Pool } from 'pg';
import { describeError } from '../client/errors';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadPipeline, loadSettings, type Pipeline, type Settings } from '../config';
import { quoteQualified } from '../sql/quote';
import { setTimeout as sleep } from 'node:timers/promises';
import { countPollers } from '../client/task-queue';
import { createStateTables } from '../connectors/targets/state-sql';
import { connectClient } from '../workers/temporal-connection';
import { benchPipeline, measureWal, peakRssBytes, runPipelineOnWorker, stagesOf, startWorkerProcess, type BenchStage, type WalWritten } from './bench';
import { FLOOR_SCHEMA, runFloor } from './bench-floor';
import { runMergeFloor } from './bench-floor-merge';
import { measureStageWalls, type StageWall } from './bench-history';
import { changeDemoData, seedDemoData } from './seed';
import { changeWideData, seedWideData } from './seed-wide';
import { upStack } from './stack';

/** Which nightly path is measured: the first load, a night with 1% updated / 0.5% new / 0.1% deleted rows, or a night with nothing new. */
type Scenario = 'initial' | 'incremental' | 'nochange';
const SCENARIOS: readonly Scenario[] = ['initial', 'incremental', 'nochange'];

/** What is moved: the demo's sales star, or the wide order-lines table (19 columns, composite key) and its orders. */
type Dataset = 'demo' | 'wide';
const DATASETS: readonly Dataset[] = ['demo', 'wide'];
const PIPELINE_OF: Record<Dataset, string> = { demo: 'pipelines/demo.yaml', wide: 'pipelines/wide.yaml' };

interface BenchResult {
  dataset: Dataset;
  scenario: Scenario;
  deletes: 'ignore' | 'propagate';
  rows: number;
  seconds: number;
  floorSeconds: number;
  ratio: number;
  peakRssBytes: number;
  stages: BenchStage[];
  /** Per stage over all tables: wall seconds (the union of its activities' run time) and Temporal's schedule-to-start wait. */
  stageWalls: StageWall[];
  seedSeconds: number;
  /** For incremental and nochange: the first load before the measured run, and the rows the night changed. */
  initialSeconds?: number;
  changed?: { updated: number; inserted: number; deleted: number };
  /** The fleet measured: worker processes on the task queue, and DuckDB threads per worker. */
  workers: number;
  duckdbThreads: number;
  /** WAL the Postgres server wrote during the measured run and during the floor. */
  wal: { pipeline: WalWritten; floor: WalWritten };
}

/** How the run is spread: worker processes, and DuckDB threads per worker (undefined: the pipeline file's). */
interface Fleet {
  workers: number;
  threads?: number;
}

/** The bench pipeline with the fleet's DuckDB threads per worker. */
function withThreads(pipeline: Pipeline, threads: number | undefined): Pipeline {
  return threads === undefined ? pipeline : { ...pipeline, duckdb: { ...pipeline.duckdb, threads } };
}

/** The bench pipeline with a deletes policy on every merged table. */
function withDeletes(pipeline: Pipeline, deletes: 'ignore' | 'propagate'): Pipeline {
  return { ...pipeline, tables: pipeline.tables.map((table) => (table.mode === 'full-refresh' ? table : { ...table, deletes })) };
}

/** A worker process that runs the pipeline once per `nights` entry (each may change the source first); the last run is measured. */
async function measurePipeline(input: { settings: Settings; pipelineFile: string; log: (m: string) => void; nights: (() => Promise<void>)[]; deletes: 'ignore' | 'propagate'; fleet: Fleet; walPool: Pool }) {
  const { settings, pipelineFile, log, nights, deletes, fleet } = input;
  const pipeline = withThreads(withDeletes(benchPipeline(await loadPipeline({ file: pipelineFile })), deletes), fleet.threads);
  const warehouse = new Pool({ connectionString: settings.postgres.warehouseUrl, max: 2 });
  // A full load first: drop the bench targets and forget the bench pipeline's state.
  await warehouse.query('DROP SCHEMA IF EXISTS bench CASCADE');
  for (const sql of createStateTables()) await warehouse.query(sql);
  for (const table of ['watermarks', 'source_marks']) await warehouse.query(`DELETE FROM etl_state.${table} WHERE pipeline = 'bench'`);
  await warehouse.end();
  const taskQueue = `bench-${process.pid}`;
  const workers = Array.from({ length: fleet.workers }, () => startWorkerProcess({ taskQueue }));
  const queued = { ...settings, temporal: { ...settings.temporal, taskQueue } };
  const client = await connectClient(queued);
  try {
    // Start the clock once the worker polls: bundling workflow code at worker start is not pipeline time.
    while ((await countPollers({ client, settings: queued })) < fleet.workers) await sleep(200);
    const runs: Awaited<ReturnType<typeof runPipelineOnWorker>>[] = [];
    let wal: WalWritten = { bytes: 0, fullPageImages: 0 };
    for (const [index, before] of nights.entries()) {
      await before();
      log(`running the pipeline on a worker process (run ${index + 1} of ${nights.length})…`);
      const measured = await measureWal({ pool: input.walPool, work: () => runPipelineOnWorker({ client, settings: queued, pipeline }) });
      runs.push(measured.result);
      wal = measured.wal;
    }
    const last = runs[runs.length - 1];
    if (!last) throw new Error('no run');
    const stageWalls = await measureStageWalls({ client, workflowId: last.workflowId });
    // The largest worker's peak: what one machine of the fleet needs.
    const peak = Math.max(...workers.map((worker) => peakRssBytes(worker.pid ?? 0)));
    return { ...last, stageWalls, initialSeconds: runs.length > 1 ? runs[0]?.seconds : undefined, pipeline, peakRssBytes: peak, wal };
  } finally {
    await client.connection.close();
    for (const worker of workers) worker.kill('SIGTERM');
  }
}

/** Rows in the pipeline's bench targets, to compare with the floor's. */
async function countTargets(warehouse: Pool, pipeline: Pipeline): Promise<number> {
  let rows = 0;
  for (const table of pipeline.tables) rows += Number((await warehouse.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteQualified(table.target)}`)).rows[0]?.n ?? 0);
  return rows;
}

/** The night's changes to the source: 1% of every table updated, 0.5% new sales, 0.1% of sales deleted. */
async function changeDemoSource(source: Pool, rows: number): Promise<NonNullable<BenchResult['changed']>> {
  const { updated, inserted } = await changeDemoData({ pool: source, updateFraction: 0.01, insertRows: Math.round(rows * 0.005) });
  const deleted = await source.query('DELETE FROM raw.sales WHERE id % 1000 = 7');
  return { updated: updated.customers + updated.products + updated.sales, inserted, deleted: deleted.rowCount ?? 0 };
}

/**
 * Writes out the pages the seed or the last load dirtied (CHECKPOINT), so the next measured run does not pay
 * for the previous one's writes: a night later a database is at rest. Without the right, the run goes on.
 */
async function settle(pool: Pool, log: (m: string) => void): Promise<void> {
  await pool.query('CHECKPOINT').catch((error: Error) => log(`warning: CHECKPOINT refused (${error.message}); the next figure includes writing out the previous step's pages`));
}

/**
 * A night later the loaded targets are at rest: autovacuum has been through them (VACUUM ANALYZE here, so it does
 * not run during the measured night) and they are in the OS cache, the pipeline's and the floor's alike. Without
 * this the side that loaded last finds its pages cached and the other reads its own from disk: on the wide 10M
 * merge the pipeline's delete waited on DataFileRead for 14.7 s and the floor's took 3.0 s for the same WAL.
 */
async function restTargets(pool: Pool, log: (m: string) => void): Promise<void> {
  const schemas = ['bench', FLOOR_SCHEMA];
  const tables = await pool.query<{ name: string }>("SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = ANY($1)", [schemas]);
  for (const { name } of tables.rows) await pool.query(`VACUUM (ANALYZE) ${name}`);
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    await pool.query("SELECT pg_prewarm(c.oid, 'read') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'i')", [schemas]);
  } catch (error) {
    log(`warning: pg_prewarm unavailable (${(error as Error).message}); the side that loaded last may find more of its pages cached`);
  }
}

const SEED: Record<Dataset, (input: { pool: Pool; rows: number; log: (m: string) => void }) => Promise<unknown>> = { demo: seedDemoData, wide: seedWideData };
const CHANGE: Record<Dataset, (source: Pool, rows: number) => Promise<NonNullable<BenchResult['changed']>>> = { demo: changeDemoSource, wide: (pool) => changeWideData({ pool }) };

async function bench(input: { dataset: Dataset; rows: number; scenario: Scenario; deletes: 'ignore' | 'propagate'; pipelineFile: string; fleet: Fleet; log: (m: string) => void }): Promise<BenchResult> {
  const settings = loadSettings();
  await upStack({ settings, log: input.log });
  const source = new Pool({ connectionString: settings.postgres.sourceUrl, max: 4 });
  const warehouse = new Pool({ connectionString: settings.postgres.warehouseUrl, max: 4 });
  const dir = await mkdtemp(join(tmpdir(), 'etl-bench-'));
  const duckdb = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB', temp_directory: join(dir, 'duckdb-tmp') });
  try {
    const slots = await source.query<{ slot_name: string }>("SELECT slot_name FROM pg_replication_slots WHERE slot_type = 'logical' AND database = current_database()");
    if (slots.rows.length > 0) {
      const names = slots.rows.map((row) => row.slot_name).join(', ');
      input.log(`warning: logical replication slot ${names} on the source decodes every write, the seed's too, and slows both runs; for clean figures stop it first (npm run etl -- replicate <pipeline.yaml> --stop)`);
    }
    input.log(`seeding the ${input.dataset} dataset with ${input.rows} fact rows…`);
    const seedStarted = Date.now();
    await SEED[input.dataset]({ pool: source, rows: input.rows, log: input.log });
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    let changed: BenchResult['changed'];
    const floorBase = { source, warehouse, duckdb, dir };
    const nights: (() => Promise<void>)[] = [() => settle(warehouse, input.log)];
    if (input.scenario !== 'initial') {
      nights.push(async () => {
        input.log('running the initial floor (kept for the nightly floor)…');
        await runFloor({ ...floorBase, pipeline: benchPipeline(await loadPipeline({ file: input.pipelineFile })), keep: true });
        if (input.scenario === 'incremental') changed = await CHANGE[input.dataset](source, input.rows);
        await restTargets(warehouse, input.log);
        await settle(warehouse, input.log);
      });
    }
    const run = await measurePipeline({ settings, pipelineFile: input.pipelineFile, log: input.log, nights, deletes: input.deletes, fleet: input.fleet, walPool: warehouse });
    await settle(warehouse, input.log);
    input.log('running the floor (plain script, no Temporal, no S3)…');
    const { result: floor, wal: floorWal } = await measureWal({ pool: warehouse, work: () => (input.scenario === 'initial' ? runFloor({ ...floorBase, pipeline: run.pipeline }) : runMergeFloor({ ...floorBase, pipeline: run.pipeline })) });
    const pipelineRows = input.scenario === 'initial' ? run.manifest.totals.loadedRows : await countTargets(warehouse, run.pipeline);
    if (floor.rows !== pipelineRows) {
      throw new Error(`the floor holds ${floor.rows} rows but the pipeline ${pipelineRows}: they no longer move the same data, so the ratio would mean nothing`);
    }
    if (input.scenario !== 'initial') await warehouse.query(`DROP SCHEMA IF EXISTS ${FLOOR_SCHEMA} CASCADE`);
    const rows = run.manifest.totals.extractedRows;
    return { dataset: input.dataset, scenario: input.scenario, deletes: input.deletes, rows, seconds: run.seconds, floorSeconds: floor.seconds, ratio: run.seconds / floor.seconds, peakRssBytes: run.peakRssBytes, stages: stagesOf(run.manifest), stageWalls: run.stageWalls, seedSeconds, initialSeconds: run.initialSeconds, changed, workers: input.fleet.workers, duckdbThreads: run.pipeline.duckdb.threads, wal: { pipeline: run.wal, floor: floorWal } };
  } finally {
    duckdb.closeSync();
    await rm(dir, { recursive: true, force: true });
    await source.end();
    await warehouse.end();
  }
}

function printHuman(result: BenchResult): void {
  const mb = (bytes: number) => bytes / 1024 / 1024;
  console.log(`dataset ${result.dataset}, scenario ${result.scenario}: rows ${result.rows} extracted (all tables), seeded in ${result.seedSeconds.toFixed(1)} s`);
  if (result.changed) console.log(`the night changed: ${result.changed.updated} updated, ${result.changed.inserted} inserted, ${result.changed.deleted} deleted (${result.deletes === 'propagate' ? 'propagated by both sides' : 'not propagated: neither side removes them'})`);
  if (result.initialSeconds !== undefined) console.log(`initial load before it: ${result.initialSeconds.toFixed(1)} s`);
  const width = Math.max(...result.stages.map((stage) => stage.name.length)) + 1;
  console.log(`${'stage'.padEnd(width)}${'seconds'.padStart(9)}${'rows/s'.padStart(12)}${'MB/s'.padStart(9)}${'MB'.padStart(9)}`);
  for (const stage of result.stages) {
    const perSecond = (value: number) => (stage.seconds > 0 ? value / stage.seconds : 0);
    console.log(`${stage.name.padEnd(width)}${stage.seconds.toFixed(1).padStart(9)}${perSecond(stage.rows).toFixed(0).padStart(12)}${perSecond(mb(stage.bytes)).toFixed(1).padStart(9)}${mb(stage.bytes).toFixed(1).padStart(9)}`);
  }
  console.log(`${'stage'.padEnd(12)}${'wall s'.padStart(8)}${'activities'.padStart(12)}${'schedule-to-start ms'.padStart(22)}`);
  for (const wall of result.stageWalls) console.log(`${wall.stage.padEnd(12)}${wall.wallSeconds.toFixed(1).padStart(8)}${String(wall.activities).padStart(12)}${wall.meanScheduleToStartMs.toFixed(0).padStart(22)}`);
  console.log(`${result.workers} worker process(es) × ${result.duckdbThreads} DuckDB thread(s)`);
  const wal = (written: WalWritten) => `${mb(written.bytes).toFixed(0)} MiB (${written.fullPageImages} full pages)`;
  console.log(`WAL written: pipeline ${wal(result.wal.pipeline)}, floor ${wal(result.wal.floor)}`);
  console.log(`end to end ${result.seconds.toFixed(1)} s; floor ${result.floorSeconds.toFixed(1)} s; ratio ${result.ratio.toFixed(2)}×; worker peak RSS ${mb(result.peakRssBytes).toFixed(0)} MiB`);
}

const program = new Command('bench')
  .description('seed N fact rows, run the dataset\'s pipeline on a worker process, and compare with a plain-script floor')
  .option('--dataset <name>', `what is moved: ${DATASETS.join(' | ')} (demo: sales, customers, products; wide: 19-column order lines with a composite key, and orders)`, 'demo')
  .option('--rows <n>', 'fact rows to seed (sales, or order lines)', '1000000')
  .option('--scenario <name>', `the nightly path measured: ${SCENARIOS.join(' | ')}`, 'initial')
  .option('--deletes <policy>', 'deletes of every merged table: ignore (the demo\'s) or propagate (the floor then deletes too)', 'ignore')
  .option('--pipeline <file>', 'pipeline file (default: the dataset\'s, pipelines/demo.yaml or pipelines/wide.yaml)')
  .option('--workers <n>', 'worker processes on the task queue (a table\'s raw parts spread over them)', '1')
  .option('--threads <n>', 'DuckDB threads per worker (default: the pipeline file\'s duckdb.threads)')
  .option('--json', 'print one JSON object instead of a table')
  .action(async (options: { dataset: string; rows: string; scenario: string; deletes: string; pipeline?: string; workers: string; threads?: string; json?: boolean }) => {
    silenceAwsNodeVersionNotice();
    const rows = Number(options.rows);
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer, got ${options.rows}`);
    const log = options.json ? () => undefined : (message: string) => console.error(message);
    const scenario = SCENARIOS.find((name) => name === options.scenario);
    if (!scenario) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}, got ${options.scenario}`);
    if (options.deletes !== 'ignore' && options.deletes !== 'propagate') throw new Error(`--deletes must be ignore or propagate, got ${options.deletes}`);
    const dataset = DATASETS.find((name) => name === options.dataset);
    if (!dataset) throw new Error(`--dataset must be one of ${DATASETS.join(', ')}, got ${options.dataset}`);
    const workers = Number(options.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error(`--workers must be a whole number from 1 to 16, got ${options.workers}`);
    const threads = options.threads === undefined ? undefined : Number(options.threads);
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new Error(`--threads must be a positive whole number, got ${options.threads}`);
    const fleet = { workers, threads };
    const result = await bench({ dataset, rows, scenario, deletes: options.deletes, pipelineFile: options.pipeline ?? PIPELINE_OF[dataset], fleet, log });
    if (options.json) console.log(JSON.stringify(result));
    else printHuman(result);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});
