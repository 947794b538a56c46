import { createLogger } from '../common/logger';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { loadPipeline, loadSettings } from '../config';
import { upStack } from '../dev/stack';
import { buildClients, closeClients } from '../workers/clients';
import { createEtlWorker } from '../workers/create-worker';
import { installRuntime } from '../workers/runtime';
import { connectClient, connectWorker } from '../workers/temporal-connection';
import { formatPreflightSummary, startPreflight, webUiUrl } from './preflight';

/**
 * `npm start`: brings the local stack up (building tools on the first run), runs a worker in this process,
 * runs the pipeline once, prints its summary and the Web UI link, and leaves the stack running.
 */
async function main(pipelineFile: string): Promise<void> {
  silenceAwsNodeVersionNotice();
  const settings = loadSettings();
  const pipeline = await loadPipeline({ file: pipelineFile });
  const log = (message: string) => console.log(message);
  // The summary is the output here; the worker only speaks up when something goes wrong.
  installRuntime({ logger: createLogger({ bindings: { component: 'worker' } }), level: 'WARN' });
  log('local stack: checking services…');
  await upStack({ settings, log });
  const deps = await buildClients({ settings, duckdb: pipeline.duckdb });
  const connection = await connectWorker(settings);
  const client = await connectClient(settings);
  try {
    const worker = await createEtlWorker({ connection, settings, deps });
    const handle = await startPreflight({ client, settings, pipeline });
    log(`started ${handle.workflowId}`);
    const summary = await worker.runUntil(handle.result());
    for (const line of formatPreflightSummary(summary)) log(line);
    log(`Web UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
    log('The stack keeps running for the Web UI; stop it with: npm run stack -- down');
  } finally {
    await client.connection.close();
    await connection.close();
    await closeClients(deps);
  }
}

main(process.argv[2] ?? 'pipelines/demo.yaml').catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
