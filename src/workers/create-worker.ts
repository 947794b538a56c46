import type { NativeConnection, WorkflowBundleOption } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import type { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { createActivities, type ActivityDeps } from '../activities';
import { tracingPlugins } from '../common/tracing';
import type { Settings } from '../config/settings';
import { logActivityContext } from './activity-logging';
import { keepActivitiesAlive } from './keep-alive';
import { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from './workflow-bundle';

/**
 * A worker that runs every workflow in src/workflows and every activity, on the configured task queue.
 * Pass a prebuilt `workflowBundle` (bundleWorkflowCode), or set ETL_WORKFLOW_BUNDLE to a file written by
 * writeWorkflowBundle, to skip bundling when many workers start. Tracing (ETL_TRACING, or a `tracing` plugin
 * given) needs its workflow interceptors bundled, so it always bundles from src/workflows.
 */
export function createEtlWorker(input: {
  connection: NativeConnection;
  settings: Settings;
  deps: ActivityDeps;
  workflowBundle?: WorkflowBundleOption;
  tracing?: OpenTelemetryPlugin;
}): Promise<Worker> {
  const tracing = Boolean(input.tracing) || input.settings.tracing;
  const prebuilt = input.workflowBundle ?? (input.settings.workflowBundle && !tracing ? { codePath: input.settings.workflowBundle } : undefined);
  const workflows = prebuilt ? { workflowBundle: prebuilt } : { workflowsPath: WORKFLOWS_PATH };
  return Worker.create({
    connection: input.connection,
    namespace: input.settings.temporal.namespace,
    taskQueue: input.settings.temporal.taskQueue,
    ...workflows,
    activities: createActivities(input.deps),
    // A prebuilt bundle already holds the workflow interceptors (bundleWorkflowCode's workflowInterceptorModules).
    interceptors: { activity: [logActivityContext, keepActivitiesAlive], ...(prebuilt ? {} : { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] }) },
    plugins: input.tracing ? [input.tracing] : tracingPlugins({ tracing: input.settings.tracing, serviceName: 'temporal-etl-worker' }),
    // Cancellation reaches an activity with a heartbeat response: at most 5 s apart, a cancelled load stops soon.
    maxHeartbeatThrottleInterval: '5 seconds',
    ...(input.settings.workerActivities ? { maxConcurrentActivityTaskExecutions: input.settings.workerActivities } : {}),
  });
}
