import { defineQuery } from '@temporalio/workflow';
import type { RunStatus } from '../common/search-attributes';
import type { RunInterval } from './run-date';

/** Where one table is: `running` is the parent's view; the table's own workflow knows the exact stage. */
export type TableStage = 'waiting' | 'running' | 'extract' | 'transform' | 'load' | 'done';

export interface TableProgress {
  table: string;
  stage: TableStage;
  /** Rows in the source window when the run was planned (known after planning). */
  sourceRows?: number;
  /** Rows copied out of the source so far (whole parts). */
  extractedRows?: number;
  /** Rows through the transform so far (accepted plus rejected). */
  transformedRows?: number;
  rejectedRows?: number;
  /** Rows written to the warehouse so far (while a load copies, estimated from the bytes copied). */
  loadedRows?: number;
  /** Raw plus processed Parquet bytes written to the lake so far. */
  bytes?: number;
  /** Set by a table's own workflow: it holds before its next step. */
  paused?: boolean;
}

export interface RunProgress {
  pipeline: string;
  runId: string;
  runDate: string;
  /** The data interval the run covers. */
  interval?: RunInterval;
  status: RunStatus;
  step: 'steps' | 'plan' | 'tables' | 'manifest' | 'cleanup' | 'done';
  startedAt: string;
  /** When the tables started (the rate and the ETA count from here, planning excluded). */
  tablesStartedAt?: string;
  /** Since when the run is paused, while it is. */
  pausedAt?: string;
  /** Seconds spent paused before the current pause (the ETA does not count them). */
  pausedSeconds?: number;
  tables: TableProgress[];
}

/** What a user watches: rows through each step so far, elapsed time and, once there is a rate, an ETA. */
export interface ProgressSummary {
  rows: { extracted: number; transformed: number; loaded: number; planned?: number };
  bytes: number;
  tablesDone: number;
  elapsedSeconds: number;
  /** Share of the planned work done (0..1: extract, transform and load of every planned row), once planning finished. */
  fraction?: number;
  /** Only once work was done after the tables started; frozen (the clock stops) while the run is paused. */
  etaSeconds?: number;
}

/** The `progress` query of nightlyEtlWorkflow (the whole run) and of tableEtlWorkflow (one table). */
export const progressQuery = defineQuery<RunProgress & ProgressSummary>('progress');
export const tableProgressQuery = defineQuery<TableProgress>('progress');

/** What the `progress` query describes (also shown by `temporal workflow metadata` and the Web UI). */
export const PROGRESS_DESCRIPTION = 'rows through extract, transform and load per table, bytes, elapsed time and ETA';

/** The share of the run's work done before an ETA is shown. */
const MIN_WORK_FOR_ETA = 0.01;

const ORDER: Record<TableStage, number> = { waiting: 0, running: 0, extract: 0, transform: 1, load: 2, done: 3 };

/** Rows of a table's window through extract, transform and load (each capped at the window), as work units. */
function tableWork(table: TableProgress): { done: number; units: number } {
  const size = Math.max(1, table.sourceRows ?? 0);
  const at = ORDER[table.stage];
  const step = (index: number, rows: number | undefined) => (at > index ? size : Math.min(size, rows ?? 0));
  const loaded = table.loadedRows === undefined ? undefined : table.loadedRows + (table.rejectedRows ?? 0);
  return { done: step(0, table.extractedRows) + step(1, table.transformedRows) + step(2, loaded), units: 3 * size };
}

/** Seconds of work since the tables started: paused time left out, and the clock stopped while paused. */
function workingSeconds(progress: RunProgress, nowMs: number): number {
  if (!progress.tablesStartedAt) return 0;
  const until = progress.pausedAt ? Math.min(nowMs, Date.parse(progress.pausedAt)) : nowMs;
  return Math.max(0, (until - Date.parse(progress.tablesStartedAt)) / 1000 - (progress.pausedSeconds ?? 0));
}

/**
 * Totals and an ETA from the tables' rows through each step. The ETA divides the work left by the rate so
 * far (work done per working second), so there is none until 1% of the work was done, and it stands still while
 * paused. `etl status`, `etl run --follow` and the query all compute it here.
 */
export function summarizeProgress(progress: RunProgress, nowMs: number): ProgressSummary {
  const sum = (pick: (table: TableProgress) => number | undefined) => progress.tables.reduce((total, table) => total + (pick(table) ?? 0), 0);
  const planned = progress.step === 'plan' ? undefined : sum((table) => table.sourceRows);
  const work = progress.tables.map(tableWork).reduce((total, table) => ({ done: total.done + table.done, units: total.units + table.units }), { done: 0, units: 0 });
  const seconds = workingSeconds(progress, nowMs);
  // A rate from the first few rows (a 3-row dimension done in a second) says nothing about the big tables:
  // no ETA until 1% of the run's work is done.
  const rate = progress.step === 'tables' && work.done >= MIN_WORK_FOR_ETA * work.units && work.done > 0 && seconds > 0 ? work.done / seconds : undefined;
  return {
    rows: { extracted: sum((table) => table.extractedRows), transformed: sum((table) => table.transformedRows), loaded: sum((table) => table.loadedRows), planned },
    bytes: sum((table) => table.bytes),
    tablesDone: progress.tables.filter((table) => table.stage === 'done').length,
    elapsedSeconds: Math.max(0, (nowMs - Date.parse(progress.startedAt)) / 1000),
    fraction: planned === undefined ? undefined : progress.step === 'done' ? 1 : Math.min(1, work.done / work.units),
    etaSeconds: rate ? (work.units - work.done) / rate : progress.step === 'manifest' ? 0 : undefined,
  };
}
