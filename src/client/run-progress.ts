import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { progressQuery, summarizeProgress, tableProgressQuery, type ProgressSummary, type RunProgress, type TableProgress } from '../workflows/progress';

export interface RunView {
  workflowId: string;
  status: WorkflowExecutionStatusName;
  /** Present while the run is open (the workflow answers its `progress` query). */
  progress?: RunProgress & ProgressSummary;
}

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

/** What the running step reported in its last heartbeat: extract reports its finished parts. */
function heartbeatProgress(activity: PendingActivity | undefined): Partial<TableProgress> {
  const payload = activity?.heartbeatDetails?.payloads?.[0];
  if (!payload || activity?.activityType?.name !== 'extractTable') return {};
  const details = defaultPayloadConverter.fromPayload<{ parts?: { rows: number; bytes: number }[] }>(payload);
  const parts = details.parts ?? [];
  return { extractedRows: parts.reduce((sum, part) => sum + part.rows, 0), bytes: parts.reduce((sum, part) => sum + part.bytes, 0) };
}

/** A running table's exact step (its own `progress` query) and its running activity's heartbeat. */
async function readTableProgress(client: Client, workflowId: string, table: TableProgress): Promise<TableProgress> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    const [own, description] = await Promise.all([handle.query(tableProgressQuery), handle.describe()]);
    return { ...table, ...own, ...(own.stage === 'extract' ? heartbeatProgress(description.raw.pendingActivities?.[0]) : {}) };
  } catch {
    return table; // not started yet, or finished between the two queries: the parent's view is right
  }
}

/** The run's status and, while it runs, its progress with per-table detail and an ETA on the real clock. */
export async function readRunProgress(input: { client: Client; workflowId: string }): Promise<RunView> {
  const { client, workflowId } = input;
  const handle = client.workflow.getHandle(workflowId);
  const { status } = await handle.describe();
  if (status.name !== 'RUNNING') return { workflowId, status: status.name };
  const progress = await handle.query(progressQuery);
  const tables = await Promise.all(
    progress.tables.map((table) => (table.stage === 'running' ? readTableProgress(client, `${workflowId}.${table.table}`, table) : Promise.resolve(table))),
  );
  const merged: RunProgress = { ...progress, tables };
  return { workflowId, status: status.name, progress: { ...merged, ...summarizeProgress(merged, Date.now()) } };
}
