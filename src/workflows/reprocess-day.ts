import { workflowInfo } from '@temporalio/workflow';
import type { RawTableRun } from '../activities';
import { lakeTargetOf } from '../common/lake-layout';
import type { Pipeline } from '../config/pipeline-schema';
import { orderTableLevels } from '../config/table-order';
import { writeRunManifest } from './manifest';
import { reprocessTable } from './reprocess-table';
import type { ReprocessedFrom, RunManifest, TableRunResult } from './results';
import { resolveRunInterval } from './run-date';
import { findTable } from './table-etl';

export interface ReprocessDayInput {
  pipeline: Pipeline;
  runDate: string;
  /** Per table to reprocess, the raw run of this date it reads (found by the parent before any day loads). */
  raw: RawTableRun[];
}

/** The raw runs used, one entry per run id, with the raw folder of each table it gave. */
function describeSources(runDate: string, raw: RawTableRun[]): ReprocessedFrom[] {
  const byRun = new Map<string, ReprocessedFrom>();
  for (const run of raw) {
    const entry = byRun.get(run.runId) ?? { runDate, runId: run.runId, uris: {} };
    entry.uris[run.table] = run.uri;
    byRun.set(run.runId, entry);
  }
  return [...byRun.values()];
}

/**
 * One run date of `etl reprocess`: its tables one after the other in dependency order (dimensions before the
 * facts whose references read their accepted keys), each from its raw Parquet, then the day's manifest with
 * `reprocessedFrom`. Its workflow id is the run id its lake files and load ledger entries derive from.
 */
export async function reprocessDayWorkflow(input: ReprocessDayInput): Promise<RunManifest> {
  const { pipeline, runDate } = input;
  const { workflowId: runId } = workflowInfo();
  const startedAt = new Date();
  const { interval } = resolveRunInterval({ runDate, timeZone: pipeline.schedule?.timezone, startedAt });
  const lake = lakeTargetOf(pipeline);
  const chosen = input.raw.map((run) => findTable(pipeline, run.table));
  const tables: TableRunResult[] = [];
  for (const table of orderTableLevels(chosen).levels.flat()) {
    const raw = input.raw.find((run) => run.table === table.name) as RawTableRun;
    const location = { prefix: pipeline.lake.prefix, table: table.name, runDate, runId };
    tables.push(await reprocessTable({ pipeline, table, raw, location, lake }));
  }
  return writeRunManifest({ pipeline, runId, runDate, interval, startedAt, tables, reprocessedFrom: describeSources(runDate, input.raw) });
}
