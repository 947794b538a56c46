import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Pipeline } from '../config/pipeline-schema';
import type { Settings } from '../config/settings';
import { nightlyEtlWorkflow, type ReplicationSummary, type RunManifest } from '../workflows';
import { formatBytes } from '../workflows/replication-status';

/** The current time as 20261123T120000 (UTC), for readable, unique workflow ids. */
export function compactTimestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

/** Today's date (UTC) as YYYY-MM-DD. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Starts a run of a pipeline. The workflow id names the pipeline, the run date and the start time; lake
 * keys derive from it, so a retried step overwrites its own files and never another run's.
 */
export function startPipelineRun(input: {
  client: Client;
  settings: Settings;
  pipeline: Pipeline;
  runDate?: string;
}): Promise<WorkflowHandleWithFirstExecutionRunId<typeof nightlyEtlWorkflow>> {
  // Without a run date the run is ad hoc: it covers everything up to now and is labelled with today (UTC).
  return input.client.workflow.start(nightlyEtlWorkflow, {
    taskQueue: input.settings.temporal.taskQueue,
    workflowId: `${input.pipeline.name}-${input.runDate ?? today()}-${compactTimestamp()}`,
    staticSummary: `${input.pipeline.name} · ${input.runDate ?? 'ad hoc, up to now'} · ${input.pipeline.tables.map((table) => table.name).join(', ')}`,
    args: [{ pipeline: input.pipeline, runDate: input.runDate }],
  });
}

const pad = (value: string, width: number) => value.padStart(width);

/** replication: postgres logical, 3 tables in sync, lag 0 B (created) */
export function formatReplication(replication: ReplicationSummary): string {
  const lag = [replication.lag.bytes === undefined ? undefined : formatBytes(replication.lag.bytes), replication.lag.seconds ? `${replication.lag.seconds.toFixed(1)} s` : undefined]
    .filter(Boolean).join(' / ');
  const tables = replication.tables > 0 ? `${replication.tables} tables` : 'tables';
  return `replication: ${replication.replicator} ${replication.mode}, ${tables} ${replication.inSync ? 'in sync' : 'not in sync'}, lag ${lag || 'not reported'}${replication.action ? ` (${replication.action})` : ''}; extracted from the replica`;
}

/** The run as a per-table table: what a data engineer checks first in the morning. */
export function formatRunSummary(manifest: RunManifest): string[] {
  const header = `${'table'.padEnd(12)}${pad('extracted', 11)}${pad('rejected', 10)}${pad('loaded', 10)}${pad('seconds', 9)}${pad('quality', 9)}  rejected by rule`;
  const rows = manifest.tables.map((table) => {
    const rules = table.skipped ? `(skipped: ${table.skipped})` : Object.entries(table.rejectedByRule).map(([rule, count]) => `${rule}=${count}`).join(' ');
    return `${table.table.padEnd(12)}${pad(String(table.extractedRows), 11)}${pad(String(table.rejectedRows), 10)}${pad(String(table.loadedRows), 10)}${pad(table.seconds.total.toFixed(1), 9)}${pad(`${(table.qualityScore * 100).toFixed(1)}%`, 9)}  ${rules}`;
  });
  const { totals } = manifest;
  return [
    ...(manifest.replication ? [formatReplication(manifest.replication)] : []),
    `pipeline ${manifest.pipeline}, run date ${manifest.runDate}: ${totals.loadedRows} rows loaded, ${totals.rejectedRows} rejected, in ${manifest.seconds.toFixed(1)} s`,
    header,
    ...rows,
    `manifest: ${manifest.manifestUri ?? '(not written)'}`,
  ];
}
