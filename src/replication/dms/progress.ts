import type { ReplicationTask, TableStatistics } from '@aws-sdk/client-database-migration-service';
import type { ReplicationMode } from '../../config/replication';
import type { ReplicationProgress, ReplicationState, TableProgress } from '../types';

const STARTING = new Set(['creating', 'ready', 'starting', 'modifying', 'testing', 'moving']);

/** start-replication the first time, resume-processing after a stop or failure, reload-target when asked; none while running. */
export function startTypeFor(task: ReplicationTask, reloadTarget: boolean): 'start-replication' | 'resume-processing' | 'reload-target' | undefined {
  if (task.Status === 'running' || task.Status === 'starting') return undefined;
  if (reloadTarget) return 'reload-target';
  return task.Status === 'ready' && !task.ReplicationTaskStartDate ? 'start-replication' : 'resume-processing';
}

function stateOf(task: ReplicationTask, input: { mode: ReplicationMode; loading: boolean }): ReplicationState {
  const status = task.Status ?? 'unknown';
  if (status === 'failed' || task.StopReason?.includes('FATAL_ERROR')) return 'failed';
  if (status === 'stopping' || status === 'stopped') return 'stopped';
  if (STARTING.has(status)) return 'starting';
  return input.mode !== 'cdc' && input.loading ? 'full-load' : 'cdc';
}

/** One look at a DMS task and its tables, in the replicator-neutral shape; failures name the tables in error. */
export function progressOfTask(input: { task: ReplicationTask; tables: readonly TableStatistics[]; mode: ReplicationMode }): ReplicationProgress {
  const { task, mode } = input;
  const stats = task.ReplicationTaskStats ?? {};
  const loading = (stats.FullLoadProgressPercent ?? 0) < 100 || (stats.TablesLoading ?? 0) > 0 || (stats.TablesQueued ?? 0) > 0;
  const state = stateOf(task, { mode, loading });
  const tables: TableProgress[] = input.tables.map((table) => ({
    table: `${table.SchemaName ?? '?'}.${table.TableName ?? '?'}`,
    state: table.TableState ?? 'unknown',
    rows: (table.FullLoadRows ?? 0) + (table.Inserts ?? 0) - (table.Deletes ?? 0),
  }));
  const errored = tables.filter((table) => table.state === 'Table error').map((table) => table.table);
  const finishedFullLoad = Boolean(task.StopReason?.includes('FULL_LOAD_ONLY_FINISHED'));
  const fullLoadDone = mode === 'cdc' || finishedFullLoad || (state === 'cdc' && !loading);
  const failures = [
    state === 'failed' ? `DMS task ${task.ReplicationTaskIdentifier ?? task.ReplicationTaskArn} ${task.Status}: ${task.LastFailureMessage ?? task.StopReason ?? 'no failure message'}` : undefined,
    errored.length > 0 ? `tables in "Table error": ${errored.join(', ')}` : undefined,
  ].filter((text): text is string => text !== undefined);
  return {
    state,
    fullLoadDone,
    inSync: failures.length === 0 && (mode === 'full-load' ? finishedFullLoad : state === 'cdc' && fullLoadDone),
    tables,
    rows: tables.reduce((sum, table) => sum + table.rows, 0),
    lag: {},
    failure: failures.length > 0 ? failures.join('; ') : undefined,
    detail: [task.Status, task.StopReason, stats.FullLoadProgressPercent === undefined ? undefined : `full load ${stats.FullLoadProgressPercent}%`,
      `tables loaded ${stats.TablesLoaded ?? 0}, loading ${stats.TablesLoading ?? 0}, queued ${stats.TablesQueued ?? 0}, errored ${stats.TablesErrored ?? 0}`]
      .filter(Boolean).join(', '),
  };
}
