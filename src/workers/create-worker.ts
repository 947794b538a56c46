import type { NativeConnection } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Settings } from '../config/settings';

/** A worker that runs every workflow in src/workflows and every activity, on the configured task queue. */
export function createEtlWorker(input: { connection: NativeConnection; settings: Settings; deps: ActivityDeps }): Promise<Worker> {
  return Worker.create({
    connection: input.connection,
    namespace: input.settings.temporal.namespace,
    taskQueue: input.settings.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(input.deps),
  });
}
