import { createLogger } from '../common/logger';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadPipeline, loadSettings, type Settings } from '../config';
import { hasDemoData, seedDemoData } from '../dev/seed';
import { upStack } from '../dev/stack';
import { buildClients, closeClients, createPool, createS3Client } from '../workers/clients';
import { dropDemoReturns } from '../dev/seed-returns';
import { createEtlWorker } from '../workers/create-worker';
import { installRuntime } from '../workers/runtime';
import { connectClient, connectWorker } from '../workers/temporal-connection';
import { formatRunSummary, startPipelineRun } from './pipeline-run';
import { describeError } from './errors';
import { webUiUrl } from './web-ui';

const DEMO_ROWS = Number(process.env.ETL_DEMO_ROWS ?? 100_000);

async function seedIfEmpty(settings: Settings, bucket: string, log: (message: string) => void): Promise<void> {
  // A dropped connection (a Postgres restart) fails the seed's query instead of ending the process.
  const pool = createPool({ connectionString: settings.postgres.sourceUrl, max: 2, onError: (error) => log(`source connection lost: ${error.message}`) });
  try {
    if (await hasDemoData({ pool })) return;
    log(`seeding demo data: ${DEMO_ROWS} sales rows into the source database, product-return files into the lake…`);
    const counts = await seedDemoData({ pool, rows: DEMO_ROWS });
    const s3 = createS3Client(settings);
    await dropDemoReturns({ s3, bucket, sales: counts.sales }).finally(() => s3.destroy());
  } finally {
    await pool.end();
  }
}

/**
 * `npm start`: brings the local stack up (building tools on the first run), seeds the demo source data if
 * it is empty, runs a worker in this process and the pipeline once, prints the per-table summary and the
 * Web UI link, and leaves the stack running.
 */
async function main(pipelineFile: string): Promise<void> {
  silenceAwsNodeVersionNotice();
  const settings = loadSettings();
  const pipeline = await loadPipeline({ file: pipelineFile });
  const log = (message: string) => console.log(message);
  // The summary is the output here; the worker only speaks up when something goes wrong.
  // Metrics only when ETL_METRICS_PORT asks: a worker on this machine may already serve the default port.
  const { host, port } = settings.metrics;
  installRuntime({ logger: createLogger({ bindings: { component: 'worker' }, logDir: settings.logDir }), level: 'WARN', metrics: port === undefined ? undefined : { host, port } });
  log('local stack: checking services…');
  await upStack({ settings, log });
  await seedIfEmpty(settings, pipeline.lake.bucket, log);
  const deps = await buildClients({ settings, duckdb: pipeline.duckdb });
  const connection = await connectWorker(settings);
  const client = await connectClient(settings);
  try {
    const worker = await createEtlWorker({ connection, settings, deps });
    const handle = await startPipelineRun({ client, settings, pipeline });
    log(`started ${handle.workflowId}`);
    const manifest = await worker.runUntil(handle.result());
    for (const line of formatRunSummary(manifest)) log(line);
    log(`Web UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
    log('The stack keeps running for the Web UI; stop it with: npm run stack -- down');
  } finally {
    await client.connection.close();
    await connection.close();
    await closeClients(deps);
  }
}

main(process.argv[2] ?? 'pipelines/demo.yaml').catch((error: unknown) => {
  console.error(describeError(error));
  process.exit(1);
});
