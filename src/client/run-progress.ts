import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import { liveTableProgress } from './live-table-progress';
import { runStatusOf } from './list-runs';
import { progressQuery, summarizeProgress, tableProgressQuery, type ProgressSummary, type RunProgress, type TableProgress } from '../workflows/progress';

export interface RunView {
  workflowId: string;
  status: WorkflowExecutionStatusName;
  /** The run's status as `etl status`, `etl list` and the bar say it: paused, running, succeeded, terminated… */
  label: string;
  /** Present while the run is open (the workflow answers its `progress` query). */
  progress?: RunProgress & ProgressSummary;
}

/** A running table's exact step (its own `progress` query) and its running activity's heartbeat. */
async function readTableProgress(client: Client, workflowId: string, table: TableProgress): Promise<TableProgress> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    const [own, description] = await Promise.all([handle.query(tableProgressQuery), handle.describe()]);
    return liveTableProgress({ ...table, ...own }, description.raw.pendingActivities ?? []);
  } catch {
    return table; // not started yet, or finished between the two queries: the parent's view is right
  }
}

/** The run's status and, while it runs, its progress with per-table detail and an ETA on the real clock. */
export async function readRunProgress(input: { client: Client; workflowId: string }): Promise<RunView> {
  const { client, workflowId } = input;
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const { status } = description;
  if (status.name !== 'RUNNING') return { workflowId, status: status.name, label: runStatusOf(description) };
  const progress = await handle.query(progressQuery);
  const tables = await Promise.all(
    progress.tables.map((table) => (table.stage === 'running' ? readTableProgress(client, `${workflowId}.${table.table}`, table) : Promise.resolve(table))),
  );
  const merged: RunProgress = { ...progress, tables };
  // The label comes from the same answer as the bar, so `etl status` never says running beside PAUSED.
  return { workflowId, status: status.name, label: progress.status, progress: { ...merged, ...summarizeProgress(merged, Date.now()) } };
}
