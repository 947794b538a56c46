import { ApplicationFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/workflow';

/** The innermost cause of a failure: the activity's or child's own error, not the wrappers around it. */
export function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current;
}

/** The failure's type for metrics and alerts: an ApplicationFailure's `type`, else the error's name. */
export function failureType(error: unknown): string {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof ApplicationFailure && current.type) return current.type;
    if (current instanceof TimeoutFailure) return 'Timeout';
  }
  const cause = rootCause(error);
  return cause instanceof Error ? cause.name : 'Error';
}

/** The table whose child workflow (`<runId>.<table>`) failed, or undefined when the run failed elsewhere. */
export function failedTable(error: unknown, runId: string): string | undefined {
  if (!(error instanceof ChildWorkflowFailure)) return undefined;
  const childId = error.execution?.workflowId ?? '';
  return childId.startsWith(`${runId}.`) ? childId.slice(runId.length + 1) : undefined;
}

/** One sentence for a failure: its root cause's message. */
export function failureMessage(error: unknown): string {
  const cause = rootCause(error);
  return cause instanceof Error ? cause.message : String(cause);
}
