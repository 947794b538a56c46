import type { Client } from '@temporalio/client';
import type { HistoryEvent } from '../client/history-events';

/** Wall-clock time of one stage over all tables, from the run's history: what the user waits for. */
export interface StageWall {
  stage: string;
  /** Seconds during which at least one activity of the stage was running (the union of their intervals). */
  wallSeconds: number;
  activities: number;
  /** Mean wait between scheduling an activity and a worker starting it: Temporal's per-activity overhead. */
  meanScheduleToStartMs: number;
}

/** Which bench stage an activity type belongs to. */
const STAGE_OF: readonly [RegExp, string][] = [
  [/^extractTable$/, 'extract'],
  [/^extract(Keys|RedshiftKeys)$/, 'references'],
  [/^extractSourceKeys$/, 'source keys'],
  [/^transformTable$/, 'transform'],
  [/^loadInto/, 'load'],
  [/^(planTables|planExtract|checkTransform|read\w*Watermark)$/, 'plan'],
];

const stageOf = (activityType: string) => STAGE_OF.find(([pattern]) => pattern.test(activityType))?.[1] ?? 'other';

const millisOf = (event: HistoryEvent) => Number(String(event.eventTime?.seconds ?? 0)) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;

export interface ActivitySpan {
  stage: string;
  scheduled: number;
  started?: number;
  closed?: number;
}

/** The activity spans of one workflow's history, and the ids of the children it started. */
export function readSpans(events: readonly HistoryEvent[]): { spans: ActivitySpan[]; children: string[] } {
  const byScheduled = new Map<string, ActivitySpan>();
  const children: string[] = [];
  for (const event of events) {
    const id = event.eventId?.toString() ?? '';
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) byScheduled.set(id, { stage: stageOf(scheduled.activityType?.name ?? ''), scheduled: millisOf(event) });
    const started = event.activityTaskStartedEventAttributes;
    const span = (scheduledId: { toString(): string } | null | undefined) => byScheduled.get(scheduledId?.toString() ?? '');
    if (started) {
      const target = span(started.scheduledEventId);
      if (target) target.started = millisOf(event);
    }
    const closed = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes ?? event.activityTaskCanceledEventAttributes;
    if (closed) {
      const target = span(closed.scheduledEventId);
      if (target) target.closed = millisOf(event);
    }
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (child) children.push(child);
  }
  return { spans: [...byScheduled.values()], children };
}

/** Length of the union of [start, end) intervals. */
function unionSeconds(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | undefined;
  for (const [start, end] of sorted) {
    if (current && start <= current[1]) current[1] = Math.max(current[1], end);
    else {
      if (current) total += current[1] - current[0];
      current = [start, end];
    }
  }
  if (current) total += current[1] - current[0];
  return total / 1000;
}

/** Per stage: wall seconds, activity count and mean schedule-to-start, from the activity spans of some histories. */
export function stageWallsOf(spans: readonly ActivitySpan[]): StageWall[] {
  const stages = [...new Set(spans.map((span) => span.stage))];
  return stages.map((stage) => {
    const ofStage = spans.filter((span) => span.stage === stage && span.started !== undefined && span.closed !== undefined);
    const waits = ofStage.map((span) => (span.started ?? 0) - span.scheduled);
    return {
      stage,
      wallSeconds: unionSeconds(ofStage.map((span) => [span.started ?? 0, span.closed ?? 0])),
      activities: ofStage.length,
      meanScheduleToStartMs: waits.length > 0 ? waits.reduce((sum, wait) => sum + wait, 0) / waits.length : 0,
    };
  });
}

/** The stage walls of a run and all its child workflows, read from their histories. */
export async function measureStageWalls(input: { client: Client; workflowId: string }): Promise<StageWall[]> {
  const spans: ActivitySpan[] = [];
  const pending = [input.workflowId];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    const history = await input.client.workflow.getHandle(id).fetchHistory();
    const read = readSpans(history.events ?? []);
    spans.push(...read.spans);
    pending.push(...read.children);
  }
  return stageWallsOf(spans);
}
