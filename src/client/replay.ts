import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from '../workers/workflow-bundle';

/** Replay runs a worker in this process: its lifecycle logs are noise in a command, failures are reported. */
export function quietReplayRuntime(): void {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
}

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

const bundles = new Map<string, ReturnType<typeof bundleWorkflowCode>>();
/** One bundle per workflow code path, so replaying a run and its table workflows bundles once. */
function bundleOf(workflowsPath: string): ReturnType<typeof bundleWorkflowCode> {
  const bundle = bundles.get(workflowsPath) ?? bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH], logger: silent });
  bundles.set(workflowsPath, bundle);
  return bundle;
}

interface HistoryJson {
  events?: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[];
}

/**
 * Replays a recorded history (an object from the server, or a file written by `temporal workflow show
 * --output json`) against workflow code; throws DeterminismViolationError when the code would take a
 * different path than the recorded run.
 */
export async function replayHistory(input: { history?: unknown; file?: string; workflowId?: string; workflowsPath?: string }): Promise<{ workflowId: string; events: number; workflowsPath: string }> {
  const history = (input.file ? JSON.parse(await readFile(input.file, 'utf8')) : input.history) as HistoryJson;
  const workflowId = input.workflowId ?? history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId;
  if (!workflowId) throw new Error(`${input.file ?? 'history'}: no workflow id in the history; pass --workflow-id`);
  const workflowsPath = input.workflowsPath ? resolve(input.workflowsPath) : WORKFLOWS_PATH;
  const workflowBundle = await bundleOf(workflowsPath);
  try {
    await Worker.runReplayHistory({ workflowBundle }, history, workflowId);
  } catch (error) {
    if (!(error instanceof DeterminismViolationError)) throw error;
    const detail = /message: "([^"]+)"/.exec(error.message)?.[1] ?? error.message;
    throw new DeterminismViolationError(`${workflowId}: the workflow code takes a different path than the recorded run (${detail})`);
  }
  return { workflowId, events: history.events?.length ?? 0, workflowsPath };
}
