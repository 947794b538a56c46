import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { Pool } from 'pg';
import { describeError } from '../client/errors';
import { createLogger } from '../common/logger';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadPipeline, loadSettings } from '../config';
import { resolveReplication } from '../config/replication';
import { buildClients, closeClients } from '../workers/clients';
import { createEtlWorker } from '../workers/create-worker';
import { installRuntime } from '../workers/runtime';
import { connectClient, connectWorker } from '../workers/temporal-connection';
import { formatBytes } from '../workflows/replication-status';
import { measureCdcLag, measureFullLoad } from './bench-replication';
import { seedDemoData } from './seed';
import { upStack } from './stack';

/**
 * `npm run bench:replication -- --rows N`: seeds N sales rows, full-loads the demo's replica from scratch
 * through replicationWorkflow (timed), then streams updates to the source and samples CDC lag.
 */
async function main(options: { rows: number; seconds: number; batch: number; everyMs: number; json: boolean }): Promise<void> {
  silenceAwsNodeVersionNotice();
  const log = (message: string) => (options.json ? process.stderr : process.stdout).write(`${message}\n`);
  const settings = { ...loadSettings(), temporal: { ...loadSettings().temporal, taskQueue: `bench-replication-${randomUUID()}` } };
  installRuntime({ logger: createLogger({ bindings: { component: 'worker' } }), level: 'WARN' });
  await upStack({ settings, log });
  const demo = await loadPipeline({ file: 'pipelines/demo.yaml' });
  if (!demo.replication) throw new Error('pipelines/demo.yaml has no replication section');
  const spec = resolveReplication({ name: demo.name, tables: demo.tables, replication: demo.replication });
  const source = new Pool({ connectionString: settings.postgres.sourceUrl, max: 4 });
  log(`seeding ${options.rows} sales rows…`);
  await seedDemoData({ pool: source, rows: options.rows }).finally(() => source.end());
  const deps = await buildClients({ settings });
  const connection = await connectWorker(settings);
  const client = await connectClient(settings);
  try {
    const worker = await createEtlWorker({ connection, settings, deps });
    log('full load into the replica…');
    const full = await measureFullLoad({ client, worker, taskQueue: settings.temporal.taskQueue, spec, deps });
    log(`streaming updates for ${options.seconds} s…`);
    const cdc = await measureCdcLag({ deps, spec, seconds: options.seconds, batch: options.batch, everyMs: options.everyMs });
    const result = { fullLoad: { ...full, rowsPerSecond: full.rows / full.seconds }, cdc };
    if (options.json) return void console.log(JSON.stringify(result, null, 2));
    log(`full load: ${full.rows} rows (customers, products, sales) in ${full.seconds.toFixed(1)} s, ${Math.round(result.fullLoad.rowsPerSecond)} rows/s`);
    log(`cdc: ${cdc.updates} updates in ${cdc.seconds.toFixed(1)} s (${Math.round(cdc.updatesPerSecond)}/s); lag p50 ${formatBytes(cdc.lag.p50Bytes)} / ${cdc.lag.p50Seconds.toFixed(2)} s, max ${formatBytes(cdc.lag.maxBytes)} / ${cdc.lag.maxSeconds.toFixed(2)} s; in sync ${cdc.catchUpSeconds.toFixed(2)} s after the stream stopped`);
  } finally {
    await client.connection.close();
    await connection.close();
    await closeClients(deps);
  }
}

new Command('bench:replication')
  .option('--rows <n>', 'sales rows to seed', (value) => Number(value), 1_000_000)
  .option('--seconds <n>', 'seconds of steady updates', (value) => Number(value), 30)
  .option('--batch <n>', 'rows per update statement', (value) => Number(value), 200)
  .option('--every-ms <n>', 'pause between update statements', (value) => Number(value), 50)
  .option('--json', 'print the result as JSON', false)
  .action((options: { rows: number; seconds: number; batch: number; everyMs: number; json: boolean }) =>
    main(options).catch((error: unknown) => {
      console.error(describeError(error));
      process.exit(1);
    }),
  )
  .parse();
