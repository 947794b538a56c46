import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ActivityDeps } from '../../src/activities';
import { closeClients } from '../../src/workers/clients';
import { createEtlWorker } from '../../src/workers/create-worker';
import { preflightWorkflow } from '../../src/workflows';
import { testPipeline } from '../support/pipelines';
import { testClients, testSettings } from '../support/stack';

const settings = testSettings();
let env: TestWorkflowEnvironment;
let deps: ActivityDeps;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: settings.temporal.address, namespace: settings.temporal.namespace });
  deps = await testClients(settings);
});
afterAll(async () => {
  await closeClients(deps);
  await env.teardown();
});

async function runPreflight(pipeline: ReturnType<typeof testPipeline>) {
  const worker = await createEtlWorker({ connection: env.nativeConnection, settings, deps });
  return worker.runUntil(
    env.client.workflow.execute(preflightWorkflow, {
      taskQueue: settings.temporal.taskQueue,
      workflowId: `test-preflight-${randomUUID()}`,
      args: [{ pipeline }],
    }),
  );
}

describe('preflightWorkflow on the real dev server', () => {
  it('reaches every system and summarises what it saw', async () => {
    const summary = await runPreflight(testPipeline());
    expect(summary.databases.map((db) => db.database)).toEqual(['source', 'warehouse']);
    expect(summary.lake.uri).toMatch(/^s3:\/\/temporal-etl-lake\/_preflight\/test-preflight-/);
    expect(summary.parquet.rows).toBe(10_000);
  });

  it('fails fast with the S3 error type when the lake bucket is missing', async () => {
    const error = await runPreflight(testPipeline({ lake: { bucket: 'missing-lake-bucket' } })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (error as WorkflowFailedError).cause;
    const cause = activityFailure?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'S3NoSuchBucket', nonRetryable: true });
  });
});
