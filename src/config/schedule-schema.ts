import { z } from 'zod';

const CRON_FIELD = /^[0-9A-Za-z*?,/#-]+$/;
const CRON_MACRO = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/;
const CRON_EVERY = /^@every \d+(ms|s|m|h|d)(\d+(ms|s|m|h))*$/;

/** Temporal's cron: 5 fields (minute hour day-of-month month day-of-week, optionally a year), a macro or @every. */
function isCronExpression(value: string): boolean {
  const fields = value.trim().split(/\s+/);
  return CRON_MACRO.test(value) || CRON_EVERY.test(value) || ((fields.length === 5 || fields.length === 6) && fields.every((field) => CRON_FIELD.test(field)));
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const overlapPolicies = ['skip', 'buffer-one', 'buffer-all', 'cancel-other', 'terminate-other', 'allow-all'] as const;

/** When a Temporal Schedule starts the pipeline (see `etl schedule create`). */
export const scheduleSchema = z.strictObject({
  cron: z.string().refine(isCronExpression, 'expected a cron expression such as "0 2 * * *" (minute hour day-of-month month day-of-week), @daily or @every 1h'),
  timezone: z.string().refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Paris').default('UTC'),
  /**
   * What happens when a run is due while the previous one still runs. Each run covers its own day, so the
   * default queues it (buffer-all) rather than skipping a day; `temporal schedule backfill` then runs every day too.
   */
  overlap: z.enum(overlapPolicies).default('buffer-all'),
  /** How late a run missed while Temporal was down may still start, e.g. 1d, 6h, 30m. */
  catchupWindow: z.string().regex(/^\d+(s|m|h|d)$/, 'expected a duration such as 1d, 6h or 30m').default('1d'),
  pauseOnFailure: z.boolean().default(false),
});

export type ScheduleSpec = z.output<typeof scheduleSchema>;
export type OverlapPolicy = (typeof overlapPolicies)[number];
