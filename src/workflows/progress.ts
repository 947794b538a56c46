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
  extractedRows?: number;
  rejectedRows?: number;
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
  tables: TableProgress[];
}

/** What a user watches: rows and bytes so far, elapsed time and, once some work is done, an ETA. */
export interface ProgressSummary {
  rows: { extracted: number; planned?: number };
  bytes: number;
  tablesDone: number;
  elapsedSeconds: number;
  /** Share of the planned work done (0..1), once planning finished. */
  fraction?: number;
  etaSeconds?: number;
}

/** The `progress` query of nightlyEtlWorkflow (the whole run) and of tableEtlWorkflow (one table). */
export const progressQuery = defineQuery<RunProgress & ProgressSummary>('progress');
export const tableProgressQuery = defineQuery<TableProgress>('progress');

const STAGES_DONE: Record<TableStage, number> = { waiting: 0, running: 0, extract: 0, transform: 1, load: 2, done: 3 };

/**
 * Totals and an ETA from the per-table stages: each table is three steps of its planned rows; the ETA
 * extrapolates the elapsed time over the share done (unknown until planning finished and work was done).
 */
export function summarizeProgress(progress: RunProgress, nowMs: number): ProgressSummary {
  const sum = (pick: (table: TableProgress) => number | undefined) => progress.tables.reduce((total, table) => total + (pick(table) ?? 0), 0);
  const elapsedSeconds = Math.max(0, (nowMs - Date.parse(progress.startedAt)) / 1000);
  const planned = progress.step === 'plan' ? undefined : sum((table) => table.sourceRows);
  const units = sum((table) => 3 * Math.max(1, table.sourceRows ?? 0));
  const done = sum((table) => STAGES_DONE[table.stage] * Math.max(1, table.sourceRows ?? 0) + (table.stage === 'extract' ? (table.extractedRows ?? 0) : 0));
  const known = planned !== undefined && done > 0 && progress.step === 'tables';
  return {
    rows: { extracted: sum((table) => table.extractedRows), planned },
    bytes: sum((table) => table.bytes),
    tablesDone: progress.tables.filter((table) => table.stage === 'done').length,
    elapsedSeconds,
    fraction: planned === undefined ? undefined : progress.step === 'done' ? 1 : Math.min(1, done / units),
    etaSeconds: known ? (elapsedSeconds * (units - done)) / done : progress.step === 'manifest' ? 0 : undefined,
  };
}
