import { isRunDate, listRunDays } from './run-days';

/** The most run dates one reprocess covers, so its history stays bounded; longer ranges are split. */
export const MAX_REPROCESS_DAYS = 366;

export interface ReprocessRange {
  /** Every run date from `from` to `to`, in order. */
  days: string[];
  /** The tables asked for, in the pipeline's order; every table when none was named. */
  tables: string[];
}

/**
 * Checks what `etl reprocess` was asked for against the pipeline: real dates, `from` not after `to`, at most
 * MAX_REPROCESS_DAYS days, known table names. Returns the days and tables, or the first problem, in words.
 */
export function checkReprocessRange(input: { pipeline: { name: string; tables: readonly { name: string }[] }; from?: string; to?: string; tables?: readonly string[] }): ReprocessRange | { issue: string } {
  const { pipeline, from = '', to = '' } = input;
  for (const [option, value] of [['--from', from], ['--to', to]] as const) {
    if (!isRunDate(value)) return { issue: `${option} ${value === '' ? 'is required' : `"${value}" is not a date`}: expected a run date as YYYY-MM-DD` };
  }
  if (from > to) return { issue: `--from ${from} is after --to ${to}: expected from ≤ to` };
  const days = listRunDays(from, to);
  if (days.length > MAX_REPROCESS_DAYS) return { issue: `--from ${from} --to ${to} covers ${days.length} days; reprocess at most ${MAX_REPROCESS_DAYS} days at a time (split the range)` };
  const known = pipeline.tables.map((table) => table.name);
  const asked = input.tables ?? [];
  const unknown = asked.filter((name) => !known.includes(name));
  if (unknown.length > 0) return { issue: `--tables: pipeline ${pipeline.name} has no table ${unknown.join(', ')} (tables: ${known.join(', ')})` };
  return { days, tables: asked.length === 0 ? known : known.filter((name) => asked.includes(name)) };
}

/** The table names of a `--tables a,b` option (empty: every table). */
export function parseTableList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((name) => name.trim()).filter(Boolean);
}
