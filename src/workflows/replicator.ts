import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities, ReplicationProgress, ReplicationStart } from '../activities';
import type { ReplicationSpec } from '../config/replication';

/** Replication calls: start may wait for the source's running transactions (slot creation), so a generous timeout. */
const calls = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/** The one contract both replicators meet: check, start, describe progress, stop. */
export interface Replicator {
  label: string;
  check(): Promise<unknown>;
  start(): Promise<ReplicationStart>;
  describe(syncPoint?: string): Promise<ReplicationProgress>;
  stop(): Promise<{ action: string }>;
}

/** The activities behind a replication spec: DMS tasks or Postgres logical replication. */
export function replicatorFor(spec: ReplicationSpec): Replicator {
  const { replicator, mode } = spec;
  // The Web UI's activity summaries: what is done to which replication, in which workflow (named after the pipeline).
  const summary = (verb: string, label: string) => ({ summary: `${verb} ${label} replication, ${mode} (${workflowInfo().workflowId})` });
  if (replicator.type === 'dms') {
    const input = { replicator, mode };
    return {
      label: 'AWS DMS',
      check: () => calls.checkDmsTask.executeWithOptions(summary('check', 'AWS DMS'), [input]),
      start: () => calls.startDmsTask.executeWithOptions(summary('start', 'AWS DMS'), [input]),
      describe: (syncPoint) => calls.describeDmsTask.executeWithOptions(summary('describe', 'AWS DMS'), [{ ...input, syncPoint }]),
      stop: () => calls.stopDmsTask.executeWithOptions(summary('stop', 'AWS DMS'), [input]),
    };
  }
  const input = { replicator, mode };
  return {
    label: 'postgres logical',
    check: () => calls.checkPostgresReplication.executeWithOptions(summary('check', 'postgres logical'), [input]),
    start: () => calls.startPostgresReplication.executeWithOptions(summary('start', 'postgres logical'), [input]),
    describe: (syncPoint) => calls.describePostgresReplication.executeWithOptions(summary('describe', 'postgres logical'), [{ ...input, syncPoint }]),
    stop: () => calls.stopPostgresReplication.executeWithOptions(summary('stop', 'postgres logical'), [input]),
  };
}
