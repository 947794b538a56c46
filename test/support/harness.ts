import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import type { ActivityDeps } from '../../src/activities';
import type { Pipeline } from '../../src/config';
import type { Settings } from '../../src/config/settings';
import { closeClients } from '../../src/workers/clients';
import { createEtlWorker } from '../../src/workers/create-worker';
import { nightlyEtlWorkflow, type RunManifest } from '../../src/workflows';
import { testClients, testSettings } from './stack';

/** A worker-and-client pair on the real local stack, with its own task queue and database pools. */
export interface Harness {
  settings: Settings;
  deps: ActivityDeps;
  client: Client;
  source: Pool;
  warehouse: Pool;
  replica: Pool;
  /** Starts an in-process worker on the harness task queue; stop() shuts it down as a deploy or crash-restart would. */
  startWorker(): Promise<{ stop(): Promise<void> }>;
  /** Runs the pipeline with an in-process worker and returns the manifest (or throws the failure); null runs it ad hoc. */
  run(pipeline: Pipeline, runDate?: string | null): Promise<RunManifest>;
  /** A worker on this harness's task queue, for tests that drive runs themselves (worker.runUntil). */
  worker(): Promise<Worker>;
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  const settings = testSettings();
  // Workers load the bundle global setup wrote (ETL_WORKFLOW_BUNDLE) instead of bundling per test file.
  if (!settings.workflowBundle) throw new Error('ETL_WORKFLOW_BUNDLE is unset: run tests through jest, whose global setup bundles the workflows');
  const deps = await testClients(settings);
  const connection = await Connection.connect({ address: settings.temporal.address });
  const client = new Client({ connection, namespace: settings.temporal.namespace });
  const workerConnection = await NativeConnection.connect({ address: settings.temporal.address });
  return {
    settings,
    deps,
    client,
    source: deps.pools.source,
    warehouse: deps.pools.warehouse,
    replica: deps.pools.replica,
    async startWorker() {
      const worker = await createEtlWorker({ connection: workerConnection, settings, deps });
      const running = worker.run();
      return {
        async stop() {
          worker.shutdown();
          await running;
        },
      };
    },
    async run(pipeline, runDate: string | null = '2026-01-15') {
      const worker = await createEtlWorker({ connection: workerConnection, settings, deps });
      return worker.runUntil(
        client.workflow.execute(nightlyEtlWorkflow, {
          taskQueue: settings.temporal.taskQueue,
          workflowId: `test-${pipeline.name}-${randomUUID()}`,
          args: [{ pipeline, runDate: runDate ?? undefined }],
        }),
      );
    },
    worker() {
      return createEtlWorker({ connection: workerConnection, settings, deps });
    },
    async close() {
      await connection.close();
      await workerConnection.close();
      await closeClients(deps);
    },
  };
}

/** Drops what runs leave in the warehouse, so a test starts from an empty warehouse. */
export async function resetWarehouse(warehouse: Pool, schemas: readonly string[] = ['analytics', 'etl_state']): Promise<void> {
  for (const schema of schemas) await warehouse.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * Forgets a pipeline's saved state (watermarks, source marks, load records, file bookmarks), for tests that re-create their source
 * tables on every run: otherwise the next run rightly refuses a source that went backwards.
 */
export async function forgetPipelineState(warehouse: Pool, pipeline: string): Promise<void> {
  for (const table of ['etl_state.watermarks', 'etl_state.source_marks', 'etl_state.loads', 'etl_state.file_bookmarks']) {
    const exists = await warehouse.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
    if (exists.rows[0]?.found) await warehouse.query(`DELETE FROM ${table} WHERE pipeline = $1`, [pipeline]);
  }
}
