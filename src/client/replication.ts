import type { Client } from '@temporalio/client';
import type { Pipeline } from '../config/pipeline-schema';
import { resolveReplication, type ReplicationMode } from '../config/replication';
import type { Settings } from '../config/settings';
import { progressQuery, replicationWorkflow, stopSignal, type ReplicationStatus } from '../workflows';
import { formatBytes } from '../workflows/replication-status';

/** One standalone replication per pipeline: its workflow id, so progress and stop find it again. */
export function replicationWorkflowId(pipeline: Pipeline): string {
  return `${pipeline.name}-replication`;
}

/** Starts the pipeline's replication on its own (a CDC run lasts until stopped). */
export function startReplication(input: { client: Client; settings: Settings; pipeline: Pipeline; mode?: ReplicationMode }) {
  const { pipeline } = input;
  if (!pipeline.replication) throw new Error(`pipeline ${pipeline.name} has no replication section`);
  const spec = resolveReplication({ name: pipeline.name, tables: pipeline.tables, replication: pipeline.replication });
  return input.client.workflow.start(replicationWorkflow, {
    taskQueue: input.settings.temporal.taskQueue,
    workflowId: replicationWorkflowId(pipeline),
    staticSummary: `${pipeline.name} · replication (${spec.replicator.type === 'dms' ? 'AWS DMS' : 'postgres logical'}, ${input.mode ?? spec.mode}); CDC runs until etl replicate --stop`,
    args: [{ ...spec, mode: input.mode ?? spec.mode }],
  });
}

/**
 * The pipeline's replication run to report on: the one given, the standalone `<pipeline>-replication`, or
 * else the newest catch-up a pipeline run started (`<run>.replication`, e.g. by `npm start`).
 */
export async function findReplicationRun(input: { client: Client; pipeline: Pipeline; workflowId?: string }): Promise<string> {
  if (input.workflowId) return input.workflowId;
  const standalone = replicationWorkflowId(input.pipeline);
  const exists = await input.client.workflow.getHandle(standalone).describe().then(() => true, () => false);
  if (exists) return standalone;
  const name = input.pipeline.name.replace(/'/g, '');
  for await (const execution of input.client.workflow.list({ query: `WorkflowType = 'replicationWorkflow' AND WorkflowId STARTS_WITH '${name}-'`, pageSize: 10 })) {
    if (execution.workflowId.endsWith('.replication')) return execution.workflowId;
  }
  throw new Error(`no replication run of pipeline ${input.pipeline.name}: start one with etl replicate <pipeline.yaml> or etl run, or pass --id <workflowId>`);
}

/** Its progress: queried while it runs; a closed catch-up's result (its last status; no worker needed). */
export async function queryReplication(input: { client: Client; pipeline: Pipeline; workflowId?: string }): Promise<ReplicationStatus & { workflowId: string }> {
  const workflowId = await findReplicationRun(input);
  const handle = input.client.workflow.getHandle<typeof replicationWorkflow>(workflowId);
  const { status } = await handle.describe();
  const progress = status.name === 'RUNNING' ? await handle.query(progressQuery) : await handle.result();
  return { ...progress, workflowId };
}

/**
 * Signals stop and waits until the replicator is stopped (Postgres: subscription, slot and publication
 * dropped). With no standalone run going — CDC left running by a nightly run's catch-up — it starts one
 * with the stop signal already delivered, so it stops at its first step.
 */
export async function stopReplication(input: { client: Client; settings: Settings; pipeline: Pipeline }): Promise<ReplicationStatus> {
  const { pipeline } = input;
  if (!pipeline.replication) throw new Error(`pipeline ${pipeline.name} has no replication section`);
  const spec = resolveReplication({ name: pipeline.name, tables: pipeline.tables, replication: pipeline.replication });
  const handle = await input.client.workflow.signalWithStart(replicationWorkflow, {
    taskQueue: input.settings.temporal.taskQueue,
    workflowId: replicationWorkflowId(pipeline),
    args: [spec],
    signal: stopSignal,
  });
  return handle.result();
}

/** The progress a person reads: state, lag, alerts, then one line per table. */
export function formatReplicationStatus(status: ReplicationStatus): string[] {
  const lag = `${status.lag.bytes === undefined ? '?' : formatBytes(status.lag.bytes)} / ${status.lag.seconds === undefined ? '?' : `${status.lag.seconds.toFixed(1)} s`}`;
  return [
    `${status.replicator} ${status.mode}: ${status.state}${status.inSync ? ', in sync' : ''}${status.outcome ? ` (${status.outcome})` : ''}, ${status.rows} rows, lag ${lag}${status.lagAlert ? ' — OVER THRESHOLD' : ''}`,
    ...status.tables.map((table) => `  ${table.table.padEnd(28)} ${table.state.padEnd(16)} ${table.rows}`),
    ...(status.detail ? [`  ${status.detail}`] : []),
    ...status.alerts.map((alert) => `  lag alert at ${alert.at}: ${alert.bytes === undefined ? '' : formatBytes(alert.bytes)} ${alert.seconds === undefined ? '' : `${alert.seconds.toFixed(1)} s`}`),
  ];
}
