import type { HistoryEvent } from '../../src/client/history-events';
import { readSpans, stageWallsOf } from '../../src/dev/bench-history';

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

describe('stage walls from a run history', () => {
  it('pairs each activity with its start and close, counts overlapping runs once, and finds the children', () => {
    const events = [
      { eventId: 5, eventTime: at(1_000), activityTaskScheduledEventAttributes: { activityType: { name: 'extractTable' } } },
      { eventId: 6, eventTime: at(1_000), activityTaskScheduledEventAttributes: { activityType: { name: 'extractTable' } } },
      { eventId: 7, eventTime: at(1_100), activityTaskStartedEventAttributes: { scheduledEventId: 5 } },
      { eventId: 8, eventTime: at(1_300), activityTaskStartedEventAttributes: { scheduledEventId: 6 } },
      { eventId: 9, eventTime: at(3_100), activityTaskCompletedEventAttributes: { scheduledEventId: 5 } },
      { eventId: 10, eventTime: at(4_300), activityTaskFailedEventAttributes: { scheduledEventId: 6 } },
      { eventId: 11, eventTime: at(5_000), activityTaskScheduledEventAttributes: { activityType: { name: 'loadIntoPostgres' } } },
      { eventId: 12, eventTime: at(6_000), activityTaskStartedEventAttributes: { scheduledEventId: 11 } },
      { eventId: 13, eventTime: at(6_500), activityTaskCompletedEventAttributes: { scheduledEventId: 11 } },
      { eventId: 14, eventTime: at(7_000), childWorkflowExecutionStartedEventAttributes: { workflowExecution: { workflowId: 'run.sales' } } },
      { eventId: 15, eventTime: at(7_000), activityTaskScheduledEventAttributes: { activityType: { name: 'writeManifest' } } },
    ];
    // JSON histories carry numbers where the server sends Longs; the reader takes both.
    const { spans, children } = readSpans(events as unknown as HistoryEvent[]);
    expect(children).toEqual(['run.sales']);
    // Extract ran from 1.1 s to 4.3 s (two overlapping activities): 3.2 s of wall time, waits of 100 and 300 ms.
    // The manifest write never started: not counted.
    expect(stageWallsOf(spans)).toEqual([
      { stage: 'extract', wallSeconds: 3.2, activities: 2, meanScheduleToStartMs: 200 },
      { stage: 'load', wallSeconds: 0.5, activities: 1, meanScheduleToStartMs: 1000 },
      { stage: 'other', wallSeconds: 0, activities: 0, meanScheduleToStartMs: 0 },
    ]);
  });
});
