import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { ActivityDeps } from '../../src/activities';
import { upStack } from '../../src/dev/stack';
import { isAlive, readPid } from '../../src/dev/processes';
import { closeClients } from '../../src/workers/clients';
import { createEtlWorker } from '../../src/workers/create-worker';
import { connectWorker } from '../../src/workers/temporal-connection';
import { preflightWorkflow } from '../../src/workflows';
import { testPipeline } from '../support/pipelines';
import { testClients, testSettings } from '../support/stack';

const settings = testSettings();

async function withClient<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: settings.temporal.address });
  try {
    return await use(new Client({ connection, namespace: settings.temporal.namespace }));
  } finally {
    await connection.close();
  }
}

async function runPreflightOnce(workflowId: string): Promise<void> {
  const deps: ActivityDeps = await testClients(settings);
  const connection = await connectWorker(settings);
  try {
    const worker = await createEtlWorker({ connection, settings, deps });
    await withClient((client) =>
      worker.runUntil(
        client.workflow.execute(preflightWorkflow, { taskQueue: settings.temporal.taskQueue, workflowId, args: [{ pipeline: testPipeline() }] }),
      ),
    );
  } finally {
    await connection.close();
    await closeClients(deps);
  }
}

describe('the embedded Temporal dev server', () => {
  it('keeps workflow histories when it is killed and started again', async () => {
    expect(settings.temporal.embedded).toBe(true);
    const workflowId = `test-restart-${randomUUID()}`;
    await runPreflightOnce(workflowId);
    const eventsBefore = await withClient(async (client) => (await client.workflow.getHandle(workflowId).fetchHistory()).events?.length);

    const pid = readPid(join(settings.stateDir, 'temporal', 'temporal.pid'));
    expect(pid).toBeDefined();
    process.kill(pid as number, 'SIGKILL');
    while (isAlive(pid as number)) await new Promise((resolve) => setTimeout(resolve, 100));

    expect(await upStack({ settings })).toEqual(['temporal']);
    const { status, eventsAfter } = await withClient(async (client) => {
      const handle = client.workflow.getHandle(workflowId);
      return { status: (await handle.describe()).status.name, eventsAfter: (await handle.fetchHistory()).events?.length };
    });
    expect(status).toBe('COMPLETED');
    expect(eventsAfter).toBe(eventsBefore);
    expect(eventsAfter).toBeGreaterThan(10);
  });
});
