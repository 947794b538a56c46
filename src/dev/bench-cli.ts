import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Command } from 'commander';
import { Pool } from 'pg';
import { describeError } from '../client/errors';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadPipeline, loadSettings, type Settings } from '../config';
import { setTimeout as sleep } from 'node:timers/promises';
import { countPollers } from '../client/task-queue';
import { createStateTables } from '../connectors/targets/load-plan';
import { connectClient } from '../workers/temporal-connection';
import { benchPipeline, peakRssBytes, runPipelineOnWorker, stagesOf, startWorkerProcess, type BenchStage } from './bench';
import { runFloor } from './bench-floor';
import { seedDemoData } from './seed';
import { upStack } from './stack';

interface BenchResult {
  rows: number;
  seconds: number;
  floorSeconds: number;
  ratio: number;
  peakRssBytes: number;
  stages: BenchStage[];
  seedSeconds: number;
}

async function measurePipeline(settings: Settings, pipelineFile: string, log: (m: string) => void) {
  const pipeline = benchPipeline(await loadPipeline({ file: pipelineFile }));
  const warehouse = new Pool({ connectionString: settings.postgres.warehouseUrl, max: 2 });
  // A full load every time: drop the bench targets and forget the bench pipeline's watermarks.
  await warehouse.query('DROP SCHEMA IF EXISTS bench CASCADE');
  for (const sql of createStateTables()) await warehouse.query(sql);
  await warehouse.query("DELETE FROM etl_state.watermarks WHERE pipeline = 'bench'");
  await warehouse.end();
  const taskQueue = `bench-${process.pid}`;
  const worker = startWorkerProcess({ taskQueue });
  const client = await connectClient({ ...settings, temporal: { ...settings.temporal, taskQueue } });
  try {
    // Start the clock once the worker polls: bundling workflow code at worker start is not pipeline time.
    while ((await countPollers({ client, settings: { ...settings, temporal: { ...settings.temporal, taskQueue } } })) === 0) await sleep(200);
    log('running the pipeline on a worker process…');
    const run = await runPipelineOnWorker({ client, settings: { ...settings, temporal: { ...settings.temporal, taskQueue } }, pipeline });
    return { ...run, pipeline, peakRssBytes: peakRssBytes(worker.pid ?? 0) };
  } finally {
    await client.connection.close();
    worker.kill('SIGTERM');
  }
}

async function bench(input: { rows: number; pipelineFile: string; log: (m: string) => void }): Promise<BenchResult> {
  const settings = loadSettings();
  await upStack({ settings, log: input.log });
  const source = new Pool({ connectionString: settings.postgres.sourceUrl, max: 4 });
  const warehouse = new Pool({ connectionString: settings.postgres.warehouseUrl, max: 2 });
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
    const run = await measurePipeline(settings, input.pipelineFile, input.log);
    input.log('running the floor (plain script, no Temporal, no S3)…');
    const floor = await runFloor({ pipeline: run.pipeline, source, warehouse, duckdb, dir });
    if (floor.rows !== run.manifest.totals.loadedRows) {
      throw new Error(`the floor loaded ${floor.rows} rows but the pipeline ${run.manifest.totals.loadedRows}: they no longer move the same data, so the ratio would mean nothing`);
    }
    const rows = run.manifest.totals.extractedRows;
    return { rows, seconds: run.seconds, floorSeconds: floor.seconds, ratio: run.seconds / floor.seconds, peakRssBytes: run.peakRssBytes, stages: stagesOf(run.manifest), seedSeconds };
  } finally {
    duckdb.closeSync();
    await rm(dir, { recursive: true, force: true });
    await source.end();
    await warehouse.end();
  }
}

function printHuman(result: BenchResult): void {
  const mb = (bytes: number) => bytes / 1024 / 1024;
  console.log(`rows ${result.rows} (all tables), seeded in ${result.seedSeconds.toFixed(1)} s`);
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
  .option('--pipeline <file>', 'pipeline file', 'pipelines/demo.yaml')
  .option('--json', 'print one JSON object instead of a table')
  .action(async (options: { rows: string; pipeline: string; json?: boolean }) => {
    silenceAwsNodeVersionNotice();
    const rows = Number(options.rows);
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer, got ${options.rows}`);
    const log = options.json ? () => undefined : (message: string) => console.error(message);
    const result = await bench({ rows, pipelineFile: options.pipeline, log });
    if (options.json) console.log(JSON.stringify(result));
    else printHuman(result);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});
