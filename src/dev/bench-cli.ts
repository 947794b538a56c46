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
import { createStateTables } from '../connectors/targets/load-plan';
import { connectClient } from '../workers/temporal-connection';
import { benchPipeline, peakRssBytes, runPipelineOnWorker, stagesOf, startWorkerProcess, type BenchStage } from './bench';
import { FLOOR_SCHEMA, runFloor } from './bench-floor';
import { runMergeFloor } from './bench-floor-merge';
import { changeDemoData, seedDemoData } from './seed';
import { upStack } from './stack';

/** Which nightly path is measured: the first load, a night with 1% updated / 0.5% new / 0.1% deleted rows, or a night with nothing new. */
type Scenario = 'initial' | 'incremental' | 'nochange';
const SCENARIOS: readonly Scenario[] = ['initial', 'incremental', 'nochange'];

interface BenchResult {
  scenario: Scenario;
  rows: number;
  seconds: number;
  floorSeconds: number;
  ratio: number;
  peakRssBytes: number;
  stages: BenchStage[];
  seedSeconds: number;
  /** For incremental and nochange: the first load before the measured run, and the rows the night changed. */
  initialSeconds?: number;
  changed?: { updated: number; inserted: number; deleted: number };
}

/** A worker process that runs the pipeline once per `runs` entry (each may change the source first); the last run is measured. */
/** The bench pipeline with a deletes policy on every merged table. */
function withDeletes(pipeline: Pipeline, deletes: 'ignore' | 'propagate'): Pipeline {
  return { ...pipeline, tables: pipeline.tables.map((table) => (table.mode === 'full-refresh' ? table : { ...table, deletes })) };
}

async function measurePipeline(settings: Settings, pipelineFile: string, log: (m: string) => void, nights: (() => Promise<void>)[], deletes: 'ignore' | 'propagate') {
  const pipeline = withDeletes(benchPipeline(await loadPipeline({ file: pipelineFile })), deletes);
  const warehouse = new Pool({ connectionString: settings.postgres.warehouseUrl, max: 2 });
  // A full load first: drop the bench targets and forget the bench pipeline's state.
  await warehouse.query('DROP SCHEMA IF EXISTS bench CASCADE');
  for (const sql of createStateTables()) await warehouse.query(sql);
  for (const table of ['watermarks', 'source_marks']) await warehouse.query(`DELETE FROM etl_state.${table} WHERE pipeline = 'bench'`);
  await warehouse.end();
  const taskQueue = `bench-${process.pid}`;
  const worker = startWorkerProcess({ taskQueue });
  const queued = { ...settings, temporal: { ...settings.temporal, taskQueue } };
  const client = await connectClient(queued);
  try {
    // Start the clock once the worker polls: bundling workflow code at worker start is not pipeline time.
    while ((await countPollers({ client, settings: queued })) === 0) await sleep(200);
    const runs: Awaited<ReturnType<typeof runPipelineOnWorker>>[] = [];
    for (const [index, before] of nights.entries()) {
      await before();
      log(`running the pipeline on a worker process (run ${index + 1} of ${nights.length})…`);
      runs.push(await runPipelineOnWorker({ client, settings: queued, pipeline }));
    }
    const last = runs[runs.length - 1];
    if (!last) throw new Error('no run');
    return { ...last, initialSeconds: runs.length > 1 ? runs[0]?.seconds : undefined, pipeline, peakRssBytes: peakRssBytes(worker.pid ?? 0) };
  } finally {
    await client.connection.close();
    worker.kill('SIGTERM');
  }
}

/** Rows in the pipeline's bench targets, to compare with the floor's. */
async function countTargets(warehouse: Pool, pipeline: Pipeline): Promise<number> {
  let rows = 0;
  for (const table of pipeline.tables) rows += Number((await warehouse.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteQualified(table.target)}`)).rows[0]?.n ?? 0);
  return rows;
}

/** The night's changes to the source: 1% of every table updated, 0.5% new sales, 0.1% of sales deleted. */
async function changeSource(source: Pool, rows: number): Promise<NonNullable<BenchResult['changed']>> {
  const { updated, inserted } = await changeDemoData({ pool: source, updateFraction: 0.01, insertRows: Math.round(rows * 0.005) });
  const deleted = await source.query('DELETE FROM raw.sales WHERE id % 1000 = 7');
  return { updated: updated.customers + updated.products + updated.sales, inserted, deleted: deleted.rowCount ?? 0 };
}

async function bench(input: { rows: number; scenario: Scenario; deletes: 'ignore' | 'propagate'; pipelineFile: string; log: (m: string) => void }): Promise<BenchResult> {
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
    input.log(`seeding ${input.rows} sales rows…`);
    const seedStarted = Date.now();
    await seedDemoData({ pool: source, rows: input.rows, log: input.log });
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    let changed: BenchResult['changed'];
    const floorBase = { source, warehouse, duckdb, dir };
    const nights: (() => Promise<void>)[] = [() => Promise.resolve()];
    if (input.scenario !== 'initial') {
      nights.push(async () => {
        input.log('running the initial floor (kept for the nightly floor)…');
        await runFloor({ ...floorBase, pipeline: benchPipeline(await loadPipeline({ file: input.pipelineFile })), keep: true });
        if (input.scenario === 'incremental') changed = await changeSource(source, input.rows);
      });
    }
    const run = await measurePipeline(settings, input.pipelineFile, input.log, nights, input.deletes);
    input.log('running the floor (plain script, no Temporal, no S3)…');
    const floor = input.scenario === 'initial' ? await runFloor({ ...floorBase, pipeline: run.pipeline }) : await runMergeFloor({ ...floorBase, pipeline: run.pipeline });
    const pipelineRows = input.scenario === 'initial' ? run.manifest.totals.loadedRows : await countTargets(warehouse, run.pipeline);
    if (floor.rows !== pipelineRows) {
      throw new Error(`the floor holds ${floor.rows} rows but the pipeline ${pipelineRows}: they no longer move the same data, so the ratio would mean nothing`);
    }
    if (input.scenario !== 'initial') await warehouse.query(`DROP SCHEMA IF EXISTS ${FLOOR_SCHEMA} CASCADE`);
    const rows = run.manifest.totals.extractedRows;
    return { scenario: input.scenario, rows, seconds: run.seconds, floorSeconds: floor.seconds, ratio: run.seconds / floor.seconds, peakRssBytes: run.peakRssBytes, stages: stagesOf(run.manifest), seedSeconds, initialSeconds: run.initialSeconds, changed };
  } finally {
    duckdb.closeSync();
    await rm(dir, { recursive: true, force: true });
    await source.end();
    await warehouse.end();
  }
}

function printHuman(result: BenchResult): void {
  const mb = (bytes: number) => bytes / 1024 / 1024;
  console.log(`scenario ${result.scenario}: rows ${result.rows} extracted (all tables), seeded in ${result.seedSeconds.toFixed(1)} s`);
  if (result.changed) console.log(`the night changed: ${result.changed.updated} updated, ${result.changed.inserted} inserted, ${result.changed.deleted} deleted (deletes are not propagated: neither side removes them)`);
  if (result.initialSeconds !== undefined) console.log(`initial load before it: ${result.initialSeconds.toFixed(1)} s`);
  console.log(`${'stage'.padEnd(10)}${'seconds'.padStart(9)}${'rows/s'.padStart(12)}${'MB/s'.padStart(9)}${'MB'.padStart(9)}`);
  for (const stage of result.stages) {
    const perSecond = (value: number) => (stage.seconds > 0 ? value / stage.seconds : 0);
    console.log(`${stage.name.padEnd(10)}${stage.seconds.toFixed(1).padStart(9)}${perSecond(stage.rows).toFixed(0).padStart(12)}${perSecond(mb(stage.bytes)).toFixed(1).padStart(9)}${mb(stage.bytes).toFixed(1).padStart(9)}`);
  }
  console.log(`end to end ${result.seconds.toFixed(1)} s; floor ${result.floorSeconds.toFixed(1)} s; ratio ${result.ratio.toFixed(2)}×; worker peak RSS ${mb(result.peakRssBytes).toFixed(0)} MiB`);
}

const program = new Command('bench')
  .description('seed N sales rows, run the demo pipeline on a worker process, and compare with a plain-script floor')
  .option('--rows <n>', 'sales rows to seed', '1000000')
  .option('--scenario <name>', `the nightly path measured: ${SCENARIOS.join(' | ')}`, 'initial')
  .option('--deletes <policy>', 'deletes of every merged table: ignore (the demo\'s) or propagate (the floor then deletes too)', 'ignore')
  .option('--pipeline <file>', 'pipeline file', 'pipelines/demo.yaml')
  .option('--json', 'print one JSON object instead of a table')
  .action(async (options: { rows: string; scenario: string; deletes: string; pipeline: string; json?: boolean }) => {
    silenceAwsNodeVersionNotice();
    const rows = Number(options.rows);
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer, got ${options.rows}`);
    const log = options.json ? () => undefined : (message: string) => console.error(message);
    const scenario = SCENARIOS.find((name) => name === options.scenario);
    if (!scenario) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')}, got ${options.scenario}`);
    if (options.deletes !== 'ignore' && options.deletes !== 'propagate') throw new Error(`--deletes must be ignore or propagate, got ${options.deletes}`);
    const result = await bench({ rows, scenario, deletes: options.deletes, pipelineFile: options.pipeline, log });
    if (options.json) console.log(JSON.stringify(result));
    else printHuman(result);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});
