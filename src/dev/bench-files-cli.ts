import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { Pool } from 'pg';
import { countPollers } from '../client/task-queue';
import { describeError } from '../client/errors';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { parsePipeline, loadSettings, type Pipeline } from '../config';
import { LOCAL_STACK } from '../config/local-stack';
import { copyToFile } from '../connectors/pg/copy';
import { createStateTables } from '../connectors/targets/state-sql';
import { deletePrefix, uploadFile } from '../runtime/lake';
import { createS3Client } from '../workers/clients';
import { connectClient } from '../workers/temporal-connection';
import { runPipelineOnWorker, startWorkerProcess } from './bench';
import { upStack } from './stack';

/**
 * `npm run bench:files -- --files 100 --rows-per-file 100000`: the same rows loaded twice, once from CSV files
 * under an S3 prefix (the files source) and once from a Postgres table (the Postgres source), each into an empty
 * target on a worker process; prints seconds and rows/s for each.
 */
const LANDING = 'bench-files/landing/';
const COLUMNS = { return_id: 'BIGINT', sale_id: 'BIGINT', amount: 'DECIMAL(12,2)', returned_at: 'TIMESTAMP', reason: 'VARCHAR' };
const SELECT_ROWS = "SELECT i AS return_id, 1000000000 + (i * 7919) % 1000000 AS sale_id, round((i % 9500) / 100.0 + 5, 2)::numeric(12,2) AS amount, timestamp '2026-01-01' + i * interval '1 second' AS returned_at, 'reason ' || (i % 50) AS reason";

function pipelines(partRows: number): { files: Pipeline; postgres: Pipeline } {
  const base = { target: '', primaryKey: ['return_id'], mode: 'merge' };
  const make = (name: string, table: Record<string, unknown>) => parsePipeline({ file: `${name}.yaml`, text: JSON.stringify({ name, lake: { bucket: LOCAL_STACK.lakeBucket, prefix: 'bench-files/' }, extract: { partRows }, tables: [{ ...base, ...table }] }) });
  return {
    files: make('bench-files', { name: 'returns', kind: 'files', files: { prefix: LANDING, glob: '*.csv', format: 'csv' }, columns: COLUMNS, target: 'bench_files_wh.from_files' }),
    postgres: make('bench-files-pg', { name: 'returns', source: 'bench_files.returns', target: 'bench_files_wh.from_postgres' }),
  };
}

/** The source table and the same rows as CSV files under the landing prefix (one COPY per file). */
async function prepare(input: { source: Pool; files: number; rowsPerFile: number; log: (m: string) => void }): Promise<number> {
  const settings = loadSettings();
  const rows = input.files * input.rowsPerFile;
  await input.source.query('DROP SCHEMA IF EXISTS bench_files CASCADE; CREATE SCHEMA bench_files');
  await input.source.query(`CREATE TABLE bench_files.returns AS ${SELECT_ROWS} FROM generate_series(1::bigint, ${rows}) i`);
  await input.source.query('ALTER TABLE bench_files.returns ADD PRIMARY KEY (return_id); ANALYZE bench_files.returns');
  const s3 = createS3Client(settings);
  const dir = await mkdtemp(join(tmpdir(), 'bench-files-'));
  let bytes = 0;
  try {
    await deletePrefix({ s3, bucket: LOCAL_STACK.lakeBucket, prefix: 'bench-files/' });
    const client = await input.source.connect();
    try {
      for (let index = 0; index < input.files; index += 1) {
        const path = join(dir, `returns-${String(index).padStart(4, '0')}.csv`);
        const from = index * input.rowsPerFile + 1;
        await copyToFile({ client, sql: `COPY (SELECT * FROM bench_files.returns WHERE return_id BETWEEN ${from} AND ${from + input.rowsPerFile - 1}) TO STDOUT WITH (FORMAT csv, HEADER)`, path });
        bytes += (await stat(path)).size;
        await uploadFile({ s3, lake: { bucket: LOCAL_STACK.lakeBucket }, key: `${LANDING}returns-${String(index).padStart(4, '0')}.csv`, path });
        await rm(path);
      }
    } finally {
      client.release();
    }
  } finally {
    s3.destroy();
    await rm(dir, { recursive: true, force: true });
  }
  input.log(`prepared ${rows} rows: bench_files.returns and ${input.files} CSV files (${(bytes / 1024 / 1024).toFixed(0)} MiB)`);
  return rows;
}

async function main(argv: string[]): Promise<void> {
  silenceAwsNodeVersionNotice();
  const options = new Command('bench:files')
    .option('--files <n>', 'CSV files', (value) => Number(value), 100)
    .option('--rows-per-file <n>', 'rows per file', (value) => Number(value), 100_000)
    .option('--json', 'print the result as JSON')
    .parse(argv)
    .opts<{ files: number; rowsPerFile: number; json?: boolean }>();
  const log = (message: string) => (options.json ? undefined : console.log(message));
  const settings = loadSettings();
  await upStack({ settings, log });
  const source = new Pool({ connectionString: settings.postgres.sourceUrl, max: 2 });
  const warehouse = new Pool({ connectionString: settings.postgres.warehouseUrl, max: 2 });
  const taskQueue = `bench-files-${process.pid}`;
  const worker = startWorkerProcess({ taskQueue });
  const queued = { ...settings, temporal: { ...settings.temporal, taskQueue } };
  const client = await connectClient(queued);
  try {
    const rows = await prepare({ source, files: options.files, rowsPerFile: options.rowsPerFile, log });
    await warehouse.query('DROP SCHEMA IF EXISTS bench_files_wh CASCADE');
    for (const sql of createStateTables()) await warehouse.query(sql);
    await warehouse.query("DELETE FROM etl_state.file_bookmarks WHERE pipeline = 'bench-files'");
    await warehouse.query("DELETE FROM etl_state.source_marks WHERE pipeline = 'bench-files-pg'");
    while ((await countPollers({ client, settings: queued })) === 0) await sleep(200);
    const result: Record<string, { seconds: number; extractSeconds: number; rowsPerSecond: number; loadedRows: number }> = {};
    for (const [name, pipeline] of Object.entries(pipelines(250_000))) {
      log(`running the ${name} source…`);
      const run = await runPipelineOnWorker({ client, settings: queued, pipeline });
      const table = run.manifest.tables[0];
      result[name] = { seconds: run.seconds, extractSeconds: table?.seconds.extract ?? 0, rowsPerSecond: Math.round(rows / run.seconds), loadedRows: table?.loadedRows ?? 0 };
    }
    if (options.json) console.log(JSON.stringify({ files: options.files, rowsPerFile: options.rowsPerFile, rows, ...result }, null, 2));
    else for (const [name, figures] of Object.entries(result)) console.log(`${name}: ${figures.loadedRows} rows in ${figures.seconds.toFixed(1)} s end to end (extract ${figures.extractSeconds.toFixed(1)} s), ${figures.rowsPerSecond} rows/s`);
  } finally {
    await client.connection.close();
    worker.kill('SIGTERM');
    await source.end();
    await warehouse.end();
  }
}

main(process.argv).catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});
