import type { NativeConnection, WorkflowBundleOption } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import type { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { createActivities, type ActivityDeps } from '../activities';
import { tracingPlugins } from '../common/tracing';
import type { Settings } from '../config/settings';
import { logActivityContext } from './activity-logging';
import { keepActivitiesAlive } from './keep-alive';

/** Where the workflow code of every worker comes from: src/workflows, bundled at worker start. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Workflow interceptors every worker bundles (log context, snake_case metric tags); a prebuilt bundle must include them. */
export const WORKFLOW_INTERCEPTORS_PATH = require.resolve('../workflows/interceptors');

/**
 * A worker that runs every workflow in src/workflows and every activity, on the configured task queue.
 * Pass a prebuilt `workflowBundle` (bundleWorkflowCode) to skip bundling when many workers start. Tracing
 * (ETL_TRACING, or a `tracing` plugin given) needs its workflow interceptors bundled: use workflowsPath then.
 */
export function createEtlWorker(input: {
  connection: NativeConnection;
  settings: Settings;
  deps: ActivityDeps;
  workflowBundle?: WorkflowBundleOption;
  tracing?: OpenTelemetryPlugin;
}): Promise<Worker> {
  const workflows = input.workflowBundle ? { workflowBundle: input.workflowBundle } : { workflowsPath: WORKFLOWS_PATH };
  return Worker.create({
    connection: input.connection,
    namespace: input.settings.temporal.namespace,
    taskQueue: input.settings.temporal.taskQueue,
    ...workflows,
    activities: createActivities(input.deps),
    // A prebuilt bundle already holds the workflow interceptors (bundleWorkflowCode's workflowInterceptorModules).
    interceptors: { activity: [logActivityContext, keepActivitiesAlive], ...(input.workflowBundle ? {} : { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] }) },
    plugins: input.tracing ? [input.tracing] : tracingPlugins({ tracing: input.settings.tracing, serviceName: 'temporal-etl-worker' }),
    // Cancellation reaches an activity with a heartbeat response: at most 5 s apart, a cancelled load stops soon.
    maxHeartbeatThrottleInterval: '5 seconds',
    ...(input.settings.workerActivities ? { maxConcurrentActivityTaskExecutions: input.settings.workerActivities } : {}),
  });
}
