import { temporal } from '@temporalio/proto';
import { ActivityLog, type ActivityRecord } from './audit-activities';
import { decode, timeOf, type History, type HistoryEvent } from './history-events';

export type { ActivityRecord } from './audit-activities';
const EventType = temporal.api.enums.v1.EventType;

export interface ChildRecord {
  workflowId: string;
  workflowType: string;
  outcome: string;
}

/** A run's audit trail, rendered from its event history alone. */
export interface AuditTrail {
  workflowId: string;
  workflowType: string;
  startedAt: string;
  startedBy: string;
  closedAt?: string;
  outcome: string;
  activities: ActivityRecord[];
  signals: { name: string; at: string; by: string }[];
  /** Accepted updates (pauseRun, resumeRun, cancelRun); rejected ones never reach the history. */
  updates: { name: string; at: string; by: string; reason?: string }[];
  cancelRequests: { at: string; by: string }[];
  /** What people did to the run from outside: cancel requests, terminations and resets, with who and why. */
  interventions: Intervention[];
  children: ChildRecord[];
}

export interface Intervention {
  action: 'cancel requested' | 'terminated' | 'reset';
  at: string;
  by: string;
  reason: string;
}

function startedBy(event: HistoryEvent): string {
  const attributes = event.workflowExecutionStartedEventAttributes ?? {};
  const scheduleId = decode(attributes.searchAttributes?.indexedFields?.TemporalScheduledById);
  if (typeof scheduleId === 'string') return `schedule ${scheduleId}`;
  if (attributes.parentWorkflowExecution?.workflowId) return `workflow ${attributes.parentWorkflowExecution.workflowId}`;
  return attributes.identity ? `client ${attributes.identity}` : 'unknown';
}

const CLOSED: Partial<Record<number, string>> = {
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED]: 'completed',
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED]: 'failed',
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED]: 'cancelled',
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED]: 'terminated',
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT]: 'timed out',
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW]: 'continued as new',
};

const CHILD_CLOSED: Partial<Record<number, string>> = {
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED]: 'completed',
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED]: 'failed',
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED]: 'cancelled',
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED]: 'terminated',
  [EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT]: 'timed out',
};

/** Walks a workflow's event history into its audit trail. */
export function buildAuditTrail(input: { workflowId: string; history: History }): AuditTrail {
  const events = input.history.events ?? [];
  const first = events[0];
  const activities = new ActivityLog();
  const trail: AuditTrail = {
    workflowId: input.workflowId,
    workflowType: first?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown',
    startedAt: first ? timeOf(first) : '',
    startedBy: first ? startedBy(first) : 'unknown',
    outcome: 'running',
    activities: activities.records,
    signals: [],
    updates: [],
    cancelRequests: [],
    interventions: [],
    children: [],
  };
  const children = new Map<string, ChildRecord>();
  for (const event of events) {
    const id = String(event.eventId);
    const type = event.eventType ?? 0;
    const closed = CLOSED[type];
    const childClosed = CHILD_CLOSED[type];
    if (closed) {
      trail.outcome = closed;
      trail.closedAt = timeOf(event);
      const terminated = event.workflowExecutionTerminatedEventAttributes;
      if (terminated) trail.interventions.push({ action: 'terminated', at: timeOf(event), by: terminated.identity || 'unknown', reason: terminated.reason || '' });
    } else if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED && event.workflowTaskFailedEventAttributes?.cause === temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW) {
      // A reset run's history repeats the original up to the reset point, then says who reset it and why.
      const attributes = event.workflowTaskFailedEventAttributes;
      trail.interventions.push({ action: 'reset', at: timeOf(event), by: attributes.identity || 'unknown', reason: `${attributes.failure?.message ?? ''} (from run ${attributes.baseRunId ?? '?'})`.trim() });
    } else if (activities.apply(event)) {
      // recorded in the activity log
    } else if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) {
      const attributes = event.workflowExecutionSignaledEventAttributes ?? {};
      trail.signals.push({ name: attributes.signalName ?? '?', at: timeOf(event), by: attributes.identity || 'unknown' });
    } else if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) {
      const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      const argument = decode(request?.input?.args?.payloads?.[0]) as { reason?: unknown } | undefined;
      const reason = typeof argument?.reason === 'string' ? { reason: argument.reason } : {};
      trail.updates.push({ name: request?.input?.name ?? '?', at: timeOf(event), by: request?.meta?.identity || 'unknown', ...reason });
    } else if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED) {
      const attributes = event.workflowExecutionCancelRequestedEventAttributes ?? {};
      trail.cancelRequests.push({ at: timeOf(event), by: attributes.identity || 'unknown' });
      trail.interventions.push({ action: 'cancel requested', at: timeOf(event), by: attributes.identity || 'unknown', reason: attributes.cause || '' });
    } else if (type === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
      const attributes = event.startChildWorkflowExecutionInitiatedEventAttributes ?? {};
      const record: ChildRecord = { workflowId: attributes.workflowId ?? '', workflowType: attributes.workflowType?.name ?? '?', outcome: 'running' };
      children.set(id, record);
      trail.children.push(record);
    } else if (childClosed) {
      const attributes =
        event.childWorkflowExecutionCompletedEventAttributes ?? event.childWorkflowExecutionFailedEventAttributes ?? event.childWorkflowExecutionCanceledEventAttributes ??
        event.childWorkflowExecutionTerminatedEventAttributes ?? event.childWorkflowExecutionTimedOutEventAttributes;
      const record = children.get(String(attributes?.initiatedEventId));
      if (record) record.outcome = childClosed;
    }
  }
  return trail;
}
