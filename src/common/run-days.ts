import { nextDay, previousDay } from './zoned-time';

/** True for a real calendar date written YYYY-MM-DD. */
export function isRunDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) === text;
}

/** Every run date from `from` to `to`, both included, in order (empty when `to` is before `from`). */
export function listRunDays(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = nextDay(day)) days.push(day);
  return days;
}

/** The run date `days` days before `date`. */
export function daysBefore(date: string, days: number): string {
  let day = date;
  for (let step = 0; step < days; step += 1) day = previousDay(day);
  return day;
}
