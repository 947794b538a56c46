import { executeChild } from '@temporalio/workflow';
import { ETL_PIPELINE } from '../common/search-attributes';
import type { Pipeline } from '../config/pipeline-schema';
import { resolveReplication } from '../config/replication';
import { replicationWorkflow } from './replication';
import type { ReplicationSummary } from './results';

/**
 * Brings the replica up to date before anything is read from it: a child replicationWorkflow that does the
 * full load the first time, then waits until the replica has applied what the source had committed when it
 * started (and lag is under the threshold), and returns, leaving CDC running for the next run.
 */
export async function catchUpReplica(pipeline: Pipeline, runId: string): Promise<ReplicationSummary | undefined> {
  if (!pipeline.replication) return undefined;
  const spec = resolveReplication({ name: pipeline.name, tables: pipeline.tables, replication: pipeline.replication });
  const status = await executeChild(replicationWorkflow, {
    workflowId: `${runId}.replication`,
    staticSummary: `${pipeline.name} · replication catch-up (${spec.replicator.type === 'dms' ? 'AWS DMS' : 'postgres logical'}, ${spec.mode}): until the replica is in sync`,
    // EtlPipeline finds it beside the run's table workflows (`temporal workflow list --query "EtlPipeline = 'demo'"`).
    typedSearchAttributes: [{ key: ETL_PIPELINE, value: pipeline.name }],
    args: [{ ...spec, until: 'in-sync' }],
  });
  const { replicator, mode, action, inSync, tables, rows, lag } = status;
  return { replicator, mode, action, inSync, tables: tables.length, rows, lag };
}
