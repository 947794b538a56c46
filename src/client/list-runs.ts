import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { ETL_PIPELINE, ETL_RUN_DATE, ETL_STATUS } from '../common/search-attributes';
import { runBounded } from '../common/run-bounded';
import type { RunManifest } from '../workflows/results';
import { progressQuery } from '../workflows/progress';

/** One line of `etl list`. */
export interface RunListing {
  workflowId: string;
  pipeline: string;
  runDate: string;
  status: string;
  startedAt: string;
  seconds?: number;
  /** Rows loaded into the warehouse: the result's total once it succeeded, so far while it runs. */
  loadedRows?: number;
}

const CLOSED_STATUS: Record<string, string> = {
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed out',
  CONTINUED_AS_NEW: 'continued as new',
};

/**
 * A run's status as people mean it: Temporal's own once the execution is closed (a terminated or timed-out
 * run never gets to set EtlStatus, which then still says running), else EtlStatus (running or paused).
 */
export function runStatusOf(execution: Pick<WorkflowExecutionInfo, 'status' | 'typedSearchAttributes'>): string {
  const closed = CLOSED_STATUS[execution.status.name];
  if (closed) return closed;
  return execution.typedSearchAttributes.get(ETL_STATUS) ?? 'running';
}

/** The most recent pipeline runs (newest first), optionally of one pipeline. */
export async function listRuns(input: { client: Client; limit: number; pipeline?: string }): Promise<RunListing[]> {
  const pipeline = input.pipeline ? ` AND EtlPipeline = '${input.pipeline.replace(/'/g, '')}'` : '';
  const runs: RunListing[] = [];
  for await (const execution of input.client.workflow.list({ query: `WorkflowType = 'nightlyEtlWorkflow'${pipeline}`, pageSize: input.limit })) {
    const { startTime, closeTime } = execution;
    runs.push({
      workflowId: execution.workflowId,
      pipeline: execution.typedSearchAttributes.get(ETL_PIPELINE) ?? '',
      runDate: execution.typedSearchAttributes.get(ETL_RUN_DATE) ?? '',
      status: runStatusOf(execution),
      startedAt: startTime.toISOString(),
      ...(closeTime ? { seconds: (closeTime.getTime() - startTime.getTime()) / 1000 } : {}),
    });
    if (runs.length >= input.limit) break;
  }
  const loaded = await runBounded(runs, 4, (run) => readLoadedRows(input.client, run));
  return runs.map((run, index) => (loaded[index] === undefined ? run : { ...run, loadedRows: loaded[index] }));
}

const QUERY_DEADLINE_MS = 3000;

/** A succeeded run's loaded rows from its result (its close event), a running one's from its progress query. */
async function readLoadedRows(client: Client, run: RunListing): Promise<number | undefined> {
  const handle = client.workflow.getHandle(run.workflowId);
  try {
    if (run.status === 'succeeded') return ((await handle.result()) as RunManifest).totals.loadedRows;
    // A query waits for a worker: a run no worker serves must not hold the whole listing up.
    if (run.status === 'running' || run.status === 'paused') return await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, async () => (await handle.query(progressQuery)).rows.loaded);
  } catch {
    // No worker answering the query, or a result of another shape: the column stays empty.
  }
  return undefined;
}

/** `etl list` as text: one run per line. */
export function formatRunList(runs: readonly RunListing[]): string[] {
  if (runs.length === 0) return ['no runs'];
  const width = Math.max(...runs.map((run) => run.workflowId.length)) + 2;
  return [
    `${'run'.padEnd(width)}${'status'.padEnd(18)}${'run date'.padEnd(12)}${'started'.padEnd(22)}${'seconds'.padStart(9)}${'rows loaded'.padStart(13)}`,
    ...runs.map(
      (run) =>
        `${run.workflowId.padEnd(width)}${run.status.padEnd(18)}${run.runDate.padEnd(12)}${run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z').padEnd(22)}${(run.seconds?.toFixed(1) ?? '-').padStart(9)}${String(run.loadedRows ?? '-').padStart(13)}`,
    ),
  ];
}
