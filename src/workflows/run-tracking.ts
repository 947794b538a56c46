import { patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { ETL_INTERVAL_END, ETL_INTERVAL_START, ETL_PIPELINE, ETL_RUN_DATE, ETL_STATUS, type RunStatus } from '../common/search-attributes';
import type { Pipeline } from '../config/pipeline-schema';
import { PROGRESS_DESCRIPTION, progressQuery, summarizeProgress, type RunProgress, type TableProgress } from './progress';
import type { RunInterval } from './run-date';
import { installRunControl, type RunControl } from './run-control';
import { installRunUpdates } from './run-updates';

/** A run's progress (answered by the `progress` query), its status search attribute and its pause state. */
export interface RunTracking {
  progress: RunProgress;
  control: RunControl;
  setStatus(status: RunStatus): void;
  updateTable(table: string, update: Partial<TableProgress>): void;
  /** Marks the start of the tables step (the rate and the ETA count from here). */
  startTables(): void;
}

/** Sets up a run's progress query, status search attribute, pause state and steering updates (`cancel` is what the cancelRun update calls). */
export function trackRun(input: { pipeline: Pipeline; runId: string; runDate: string; interval: RunInterval; startedAt: Date; cancel?: (request: { updateId: string; reason?: string }) => boolean }): RunTracking {
  const { pipeline, runDate } = input;
  const progress: RunProgress = {
    pipeline: pipeline.name,
    runId: input.runId,
    runDate,
    interval: input.interval,
    status: 'running',
    step: 'plan',
    startedAt: input.startedAt.toISOString(),
    tables: pipeline.tables.map((table) => ({ table: table.name, stage: 'waiting' })),
  };
  upsertSearchAttributes([
    { key: ETL_PIPELINE, value: pipeline.name },
    { key: ETL_RUN_DATE, value: runDate },
    { key: ETL_STATUS, value: 'running' },
  ]);
  // Runs recorded before the interval attributes existed replay without this upsert.
  if (patched('interval-search-attributes')) {
    const { start, end } = input.interval;
    upsertSearchAttributes([...(start ? [{ key: ETL_INTERVAL_START, value: new Date(start) }] : []), { key: ETL_INTERVAL_END, value: new Date(end) }]);
  }
  const setStatus = (status: RunStatus) => {
    progress.status = status;
    upsertSearchAttributes([{ key: ETL_STATUS, value: status }]);
  };
  // The pause clock: the ETA leaves paused time out and stands still while paused.
  const notePause = (paused: boolean) => {
    const now = Date.now();
    if (paused) progress.pausedAt = new Date(now).toISOString();
    else if (progress.pausedAt) {
      const since = progress.tablesStartedAt && progress.tablesStartedAt > progress.pausedAt ? progress.tablesStartedAt : progress.pausedAt;
      progress.pausedSeconds = (progress.pausedSeconds ?? 0) + Math.max(0, (now - Date.parse(since)) / 1000);
      delete progress.pausedAt;
    }
    setStatus(paused ? 'paused' : 'running');
  };
  const control = installRunControl({ onChange: notePause });
  installRunUpdates({ progress, control, cancel: input.cancel });
  // Date.now() in a query is the time of the last workflow task; `etl status` recomputes with the real clock.
  setHandler(progressQuery, () => ({ ...progress, ...summarizeProgress(progress, Date.now()) }), { description: PROGRESS_DESCRIPTION });
  return {
    progress,
    control,
    setStatus,
    startTables() {
      progress.step = 'tables';
      progress.tablesStartedAt = new Date().toISOString();
    },
    updateTable(table, update) {
      const entry = progress.tables.find((candidate) => candidate.table === table);
      if (entry) Object.assign(entry, update);
    },
  };
}
