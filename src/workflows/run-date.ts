import { workflowInfo } from '@temporalio/workflow';
import { SCHEDULED_START_TIME } from '../common/search-attributes';

/** A calendar date (YYYY-MM-DD) of an instant in a time zone; en-CA formats dates as ISO does. */
export function dateInZone(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/**
 * The run date of a workflow: given explicitly, else the day a schedule fired for (so backfills and
 * catch-ups process the right day) in the schedule's time zone, else the day the run started (UTC).
 */
export function resolveRunDate(input: { runDate?: string; timeZone?: string; startedAt: Date }): string {
  if (input.runDate) return input.runDate;
  const scheduled = workflowInfo().typedSearchAttributes.get(SCHEDULED_START_TIME);
  if (scheduled) return dateInZone(new Date(scheduled), input.timeZone ?? 'UTC');
  return input.startedAt.toISOString().slice(0, 10);
}
