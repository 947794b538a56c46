import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** Where the workflow code of every worker comes from: src/workflows, bundled at worker start. */
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Workflow interceptors every worker bundles (log context, snake_case metric tags); a prebuilt bundle must include them. */
export const WORKFLOW_INTERCEPTORS_PATH = require.resolve('../workflows/interceptors');

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

/**
 * Bundles the workflows and their interceptors once into a file that workers load with ETL_WORKFLOW_BUNDLE
 * instead of bundling at every start (a fleet, or test suites starting many workers). The file must be
 * rebuilt whenever src/workflows changes: a worker running an old bundle replays old code.
 */
export async function writeWorkflowBundle(input: { file: string }): Promise<void> {
  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH], logger: quiet });
  await mkdir(dirname(input.file), { recursive: true });
  await writeFile(input.file, bundle.code);
}
