/**
 * Starts a pipeline run from a script with temporal-etl's typed client, waits for it, and prints the rows
 * loaded per table. The pipeline goes in as written in its YAML file; the workflow validates it first.
 *
 *   npm run build && npx tsx examples/start-run.ts pipelines/demo.yaml 2026-03-01
 */
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import YAML from 'yaml';
import { loadSettings, startPipelineRun, type PipelineInput } from 'temporal-etl';

async function main(file: string, runDate: string): Promise<void> {
  const settings = loadSettings();
  const connection = await Connection.connect({ address: settings.temporal.address });
  try {
    const client = new Client({ connection, namespace: settings.temporal.namespace });
    const pipeline = YAML.parse(await readFile(file, 'utf8')) as PipelineInput;
    const handle = await startPipelineRun({ client, pipeline, runDate });
    console.log(`started ${handle.workflowId}`);
    const manifest = await handle.result();
    for (const table of manifest.tables) console.log(`${table.table}: ${table.loadedRows} rows loaded`);
  } finally {
    await connection.close();
  }
}

main(process.argv[2] ?? 'pipelines/demo.yaml', process.argv[3] ?? new Date().toISOString().slice(0, 10)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
