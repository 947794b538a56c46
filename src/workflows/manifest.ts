import type { StepResult } from '../activities';
import type { Pipeline } from '../config/pipeline-schema';
import { lakeTargetOf, manifestKey } from '../common/lake-layout';
import { quick } from './activities';
import type { RunInterval } from './run-date';
import type { ReplicationSummary, ReprocessedFrom, RunManifest, TableRunResult } from './results';

/** Totals the tables' results and writes _manifest.json beside the run's data; returns it with its URI. */
export async function writeRunManifest(input: {
  pipeline: Pipeline;
  runId: string;
  runDate: string;
  interval: RunInterval;
  startedAt: Date;
  tables: TableRunResult[];
  replication?: ReplicationSummary;
  steps?: StepResult[];
  reprocessedFrom?: ReprocessedFrom[];
}): Promise<RunManifest> {
  const { pipeline, runId, runDate, startedAt, tables, replication, steps, reprocessedFrom } = input;
  const finishedAt = new Date();
  const sum = (pick: (table: TableRunResult) => number) => tables.reduce((total, table) => total + pick(table), 0);
  const manifest: RunManifest = {
    pipeline: pipeline.name,
    runId,
    runDate,
    interval: input.interval,
    status: 'succeeded',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    tables,
    totals: { extractedRows: sum((t) => t.extractedRows), rejectedRows: sum((t) => t.rejectedRows), loadedRows: sum((t) => t.loadedRows) },
    ...(replication ? { replication } : {}),
    ...(steps ? { steps } : {}),
    ...(reprocessedFrom ? { reprocessedFrom } : {}),
  };
  const { uri } = await quick.writeManifest.executeWithOptions({ summary: `write the run manifest (${pipeline.name}, ${runDate})` }, [
    { lake: lakeTargetOf(pipeline), key: manifestKey({ prefix: pipeline.lake.prefix, runDate, runId }), manifest },
  ]);
  return { ...manifest, manifestUri: uri };
}
