import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { ETL_PIPELINE, ETL_RUN_DATE, ETL_STATUS, type RunStatus } from '../common/search-attributes';
import type { Pipeline } from '../config/pipeline-schema';
import { progressQuery, summarizeProgress, type RunProgress, type TableProgress } from './progress';
import type { RunInterval } from './run-date';
import { installRunControl, type RunControl } from './run-control';

/** A run's progress (answered by the `progress` query), its status search attribute and its pause state. */
export interface RunTracking {
  progress: RunProgress;
  control: RunControl;
  setStatus(status: RunStatus): void;
  updateTable(table: string, update: Partial<TableProgress>): void;
}

export function trackRun(input: { pipeline: Pipeline; runId: string; runDate: string; interval: RunInterval; startedAt: Date }): RunTracking {
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
  const setStatus = (status: RunStatus) => {
    progress.status = status;
    upsertSearchAttributes([{ key: ETL_STATUS, value: status }]);
  };
  const control = installRunControl({ onChange: (paused) => setStatus(paused ? 'paused' : 'running') });
  // Date.now() in a query is the time of the last workflow task; `etl status` recomputes with the real clock.
  setHandler(progressQuery, () => ({ ...progress, ...summarizeProgress(progress, Date.now()) }));
  return {
    progress,
    control,
    setStatus,
    updateTable(table, update) {
      const entry = progress.tables.find((candidate) => candidate.table === table);
      if (entry) Object.assign(entry, update);
    },
  };
}
