/**
 * The data interval [start, end) a run covers. `start` is absent for an ad-hoc run: each table then starts
 * where its last committed interval ended.
 */
export interface RunInterval {
  start?: string;
  end: string;
  timeZone: string;
  /** scheduled: the day before the one the schedule fired on; run-date: the day given; ad-hoc: up to now. */
  source: 'scheduled' | 'run-date' | 'ad-hoc';
}
