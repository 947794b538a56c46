import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payload = temporal.api.common.v1.IPayload;
const EventType = temporal.api.enums.v1.EventType;

/** One activity as the history records it: when, how many attempts, how long, how it ended, rows moved. */
export interface ActivityRecord {
  activity: string;
  activityId: string;
  /** The table it worked on, read from its input. */
  table?: string;
  scheduledAt: string;
  startedAt?: string;
  closedAt?: string;
  attempts: number;
  seconds?: number;
  outcome: 'completed' | 'failed' | 'timed out' | 'cancelled' | 'running';
  rows?: number;
  error?: string;
  /** The failure that made Temporal retry it, when it took more than one attempt. */
  lastFailure?: string;
}

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
  cancelRequests: { at: string; by: string }[];
  children: ChildRecord[];
}

// Seconds arrive as a Long from the server and as a number or string from JSON files: String() reads all three.
const timeOf = (event: HistoryEvent) => new Date(Number(String(event.eventTime?.seconds ?? 0)) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6)).toISOString();
const decode = (payload: Payload | null | undefined): unknown => (payload ? defaultPayloadConverter.fromPayload(payload) : undefined);

/** The row count an activity reports: rows moved (extract, load), accepted (transform) or planned. */
function rowsOf(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { rows, acceptedRows, sourceRows } = result as Record<string, unknown>;
  return [rows, acceptedRows, sourceRows].find((value): value is number => typeof value === 'number');
}

/** The table an activity's input names: `table` (a name or a spec), `location.table` or `plan.table`. */
function tableOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const { table, location, plan } = input as { table?: unknown; location?: { table?: unknown }; plan?: { table?: unknown } };
  const candidate = typeof table === 'object' && table !== null ? (table as { name?: unknown }).name : (table ?? location?.table ?? plan?.table);
  return typeof candidate === 'string' ? candidate : undefined;
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

function closeActivity(record: ActivityRecord, event: HistoryEvent, outcome: ActivityRecord['outcome'], error?: string): void {
  record.outcome = outcome;
  record.closedAt = timeOf(event);
  record.seconds = (Date.parse(record.closedAt) - Date.parse(record.startedAt ?? record.scheduledAt)) / 1000;
  if (error) record.error = error;
}

/** Walks a workflow's event history into its audit trail. */
export function buildAuditTrail(input: { workflowId: string; history: History }): AuditTrail {
  const events = input.history.events ?? [];
  const first = events[0];
  const trail: AuditTrail = {
    workflowId: input.workflowId,
    workflowType: first?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown',
    startedAt: first ? timeOf(first) : '',
    startedBy: first ? startedBy(first) : 'unknown',
    outcome: 'running',
    activities: [],
    signals: [],
    cancelRequests: [],
    children: [],
  };
  const activities = new Map<string, ActivityRecord>();
  const children = new Map<string, ChildRecord>();
  for (const event of events) {
    const id = String(event.eventId);
    const type = event.eventType ?? 0;
    const closed = CLOSED[type];
    const childClosed = CHILD_CLOSED[type];
    if (closed) {
      trail.outcome = closed;
      trail.closedAt = timeOf(event);
    } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      const attributes = event.activityTaskScheduledEventAttributes ?? {};
      const record: ActivityRecord = {
        activity: attributes.activityType?.name ?? '?',
        activityId: attributes.activityId ?? '',
        table: tableOf(decode(attributes.input?.payloads?.[0])),
        scheduledAt: timeOf(event),
        attempts: 0,
        outcome: 'running',
      };
      activities.set(id, record);
      trail.activities.push(record);
    } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const attributes = event.activityTaskStartedEventAttributes ?? {};
      const record = activities.get(String(attributes.scheduledEventId));
      if (record) {
        record.startedAt = timeOf(event);
        record.attempts = attributes.attempt ?? 1;
        if (attributes.lastFailure?.message) record.lastFailure = attributes.lastFailure.message;
      }
    } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      const attributes = event.activityTaskCompletedEventAttributes ?? {};
      const record = activities.get(String(attributes.scheduledEventId));
      if (record) {
        closeActivity(record, event, 'completed');
        record.rows = rowsOf(decode(attributes.result?.payloads?.[0]));
      }
    } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED || type === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) {
      const attributes = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes ?? {};
      const record = activities.get(String(attributes.scheduledEventId));
      if (record) closeActivity(record, event, type === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED ? 'failed' : 'timed out', attributes.failure?.message ?? undefined);
    } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED) {
      const record = activities.get(String(event.activityTaskCanceledEventAttributes?.scheduledEventId));
      if (record) closeActivity(record, event, 'cancelled');
    } else if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) {
      const attributes = event.workflowExecutionSignaledEventAttributes ?? {};
      trail.signals.push({ name: attributes.signalName ?? '?', at: timeOf(event), by: attributes.identity || 'unknown' });
    } else if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED) {
      trail.cancelRequests.push({ at: timeOf(event), by: event.workflowExecutionCancelRequestedEventAttributes?.identity || 'unknown' });
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
