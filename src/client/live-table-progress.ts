import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { StepProgress } from '../runtime/heartbeat';
import type { TableProgress } from '../workflows/progress';

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

const STEP_OF: Record<string, StepProgress['step']> = { extractTable: 'extract', transformTable: 'transform', loadIntoPostgres: 'load', loadIntoRedshift: 'load' };

/** A heartbeat's step progress; an extract of an older worker reported only its parts, which are summed. */
function readStepProgress(activity: PendingActivity): Partial<StepProgress> | undefined {
  const payload = activity.heartbeatDetails?.payloads?.[0];
  if (!payload) return undefined;
  const details = defaultPayloadConverter.fromPayload<Partial<StepProgress> & { parts?: { rows: number; bytes: number }[] }>(payload);
  if (details.rows !== undefined || !Array.isArray(details.parts)) return details;
  return { rows: details.parts.reduce((sum, part) => sum + part.rows, 0), bytes: details.parts.reduce((sum, part) => sum + part.bytes, 0) };
}

/**
 * What a table's running extract, transform or load reported in its last heartbeat, as table progress: rows
 * so far through that step (and the lake bytes of an extract). A workflow cannot read the heartbeats of its
 * own running activity, so the client merges them into the table's `progress` query answer.
 */
export function liveTableProgress(table: TableProgress, pending: readonly PendingActivity[]): TableProgress {
  for (const activity of pending) {
    const step = STEP_OF[activity.activityType?.name ?? ''];
    const progress = step ? readStepProgress(activity) : undefined;
    if (!step || step !== table.stage || progress?.rows === undefined) continue;
    if (step === 'extract') return { ...table, extractedRows: progress.rows, bytes: progress.bytes ?? table.bytes };
    if (step === 'transform') return { ...table, transformedRows: progress.rows, bytes: (table.bytes ?? 0) + (progress.bytes ?? 0) };
    return { ...table, loadedRows: progress.rows };
  }
  return table;
}
