import { temporal } from '@temporalio/proto';
import { decode, timeOf, type HistoryEvent } from './history-events';

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

/** The table an activity's input names: `table` (a name or a spec), `location.table` or `plan.table`. */
function tableOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const { table, location, plan } = input as { table?: unknown; location?: { table?: unknown }; plan?: { table?: unknown } };
  const candidate = typeof table === 'object' && table !== null ? (table as { name?: unknown }).name : (table ?? location?.table ?? plan?.table);
  return typeof candidate === 'string' ? candidate : undefined;
}


/** The row count an activity reports: rows moved (extract, load), accepted (transform) or planned. */
function rowsOf(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { rows, acceptedRows, sourceRows } = result as Record<string, unknown>;
  return [rows, acceptedRows, sourceRows].find((value): value is number => typeof value === 'number');
}

function closeActivity(record: ActivityRecord, event: HistoryEvent, outcome: ActivityRecord['outcome'], error?: string): void {
  record.outcome = outcome;
  record.closedAt = timeOf(event);
  record.seconds = (Date.parse(record.closedAt) - Date.parse(record.startedAt ?? record.scheduledAt)) / 1000;
  if (error) record.error = error;
}

/** The activities of one history, in the order they were scheduled, built event by event. */
export class ActivityLog {
  readonly records: ActivityRecord[] = [];
  private readonly byScheduledEvent = new Map<string, ActivityRecord>();

  /** Applies an activity event; returns false for events of other kinds. */
  apply(event: HistoryEvent): boolean {
    const type = event.eventType ?? 0;
    const find = (scheduledEventId: unknown) => this.byScheduledEvent.get(String(scheduledEventId));
    if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      const attributes = event.activityTaskScheduledEventAttributes ?? {};
      const record: ActivityRecord = {
        activity: attributes.activityType?.name ?? '?',
        activityId: attributes.activityId ?? '',
        table: tableOf(decode(attributes.input?.payloads?.[0])),
        scheduledAt: timeOf(event),
        attempts: 0,
        outcome: 'running',
      };
      this.byScheduledEvent.set(String(event.eventId), record);
      this.records.push(record);
    } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const attributes = event.activityTaskStartedEventAttributes ?? {};
      const record = find(attributes.scheduledEventId);
      if (record) {
        record.startedAt = timeOf(event);
        record.attempts = attributes.attempt ?? 1;
        if (attributes.lastFailure?.message) record.lastFailure = attributes.lastFailure.message;
      }
    } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      const attributes = event.activityTaskCompletedEventAttributes ?? {};
      const record = find(attributes.scheduledEventId);
      if (record) {
        closeActivity(record, event, 'completed');
        record.rows = rowsOf(decode(attributes.result?.payloads?.[0]));
      }
    } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED || type === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) {
      const attributes = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes ?? {};
      const record = find(attributes.scheduledEventId);
      if (record) closeActivity(record, event, type === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED ? 'failed' : 'timed out', attributes.failure?.message ?? undefined);
    } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED) {
      const record = find(event.activityTaskCanceledEventAttributes?.scheduledEventId);
      if (record) closeActivity(record, event, 'cancelled');
    } else {
      return false;
    }
    return true;
  }
}
