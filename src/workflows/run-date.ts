import { workflowInfo } from '@temporalio/workflow';
import { SCHEDULED_START_TIME } from '../common/search-attributes';
import type { RunInterval } from '../common/run-interval';
import { dateInZone, nextDay, previousDay, startOfDayInZone } from '../common/zoned-time';

export { dateInZone } from '../common/zoned-time';
export type { RunInterval } from '../common/run-interval';


function dayInterval(day: string, timeZone: string, source: RunInterval['source']): RunInterval {
  return { start: startOfDayInZone(day, timeZone).toISOString(), end: startOfDayInZone(nextDay(day), timeZone).toISOString(), timeZone, source };
}

/**
 * The run date and data interval of a workflow. A run date given explicitly covers that day; a scheduled run
 * covers the calendar day before the one it fired for, in the schedule's time zone (the 02:00 run of
 * 2026-11-24 processes 2026-11-23, its run date), so backfills and catch-ups process the right day; an
 * ad-hoc run covers everything up to the moment it started, labelled with that day (UTC).
 */
export function resolveRunInterval(input: { runDate?: string; timeZone?: string; startedAt: Date }): { runDate: string; interval: RunInterval } {
  const timeZone = input.timeZone ?? 'UTC';
  if (input.runDate) return { runDate: input.runDate, interval: dayInterval(input.runDate, timeZone, 'run-date') };
  const scheduled = workflowInfo().typedSearchAttributes.get(SCHEDULED_START_TIME);
  if (scheduled) {
    const day = previousDay(dateInZone(new Date(scheduled), timeZone));
    return { runDate: day, interval: dayInterval(day, timeZone, 'scheduled') };
  }
  return { runDate: input.startedAt.toISOString().slice(0, 10), interval: { end: input.startedAt.toISOString(), timeZone, source: 'ad-hoc' } };
}
