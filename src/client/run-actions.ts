import { loadPipeline, loadSettings } from '../config';
import { reportOutcome } from './control-actions';
import { followRun } from './follow-run';
import { formatRunSummary, startPipelineRun } from './pipeline-run';
import { formatPreflightSummary, startPreflight } from './preflight';
import { webUiUrl } from './web-ui';
import { withClient } from './with-client';

/** `etl validate <file>`: the pipeline file and the environment, nothing started. */
export async function validatePipelineFile(file: string): Promise<void> {
  const pipeline = await loadPipeline({ file });
  loadSettings();
  console.log(`${file}: valid (pipeline ${pipeline.name}, ${pipeline.tables.length} tables, warehouse ${pipeline.warehouse.type})`);
}

/** `etl run <file>`: starts a run, then waits for its summary, follows it, or returns at once. */
export async function runPipelineFile(file: string, options: { wait: boolean; follow?: boolean; runDate?: string }): Promise<void> {
  const pipeline = await loadPipeline({ file });
  await withClient(async (client, settings) => {
    const handle = await startPipelineRun({ client, settings, pipeline, runDate: options.runDate });
    console.log(`started ${handle.workflowId}\nWeb UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
    if (options.follow) {
      await followRun({ client, workflowId: handle.workflowId });
      if (!(await reportOutcome(client, handle.workflowId))) process.exitCode = 1;
    } else if (options.wait) for (const line of formatRunSummary(await handle.result())) console.log(line);
  }, { startsRuns: true });
}

/** `etl check <file>`: a preflight workflow on a worker reaches every system the pipeline uses. */
export async function checkPipelineFile(file: string): Promise<void> {
  const pipeline = await loadPipeline({ file });
  await withClient(async (client, settings) => {
    const handle = await startPreflight({ client, settings, pipeline });
    for (const line of formatPreflightSummary(await handle.result())) console.log(line);
  }, { startsRuns: true });
}
