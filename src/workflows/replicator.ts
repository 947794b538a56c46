import { proxyActivities } from '@temporalio/workflow';
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
  if (replicator.type === 'dms') {
    const input = { replicator, mode };
    return {
      label: 'AWS DMS',
      check: () => calls.checkDmsTask(input),
      start: () => calls.startDmsTask(input),
      describe: (syncPoint) => calls.describeDmsTask({ ...input, syncPoint }),
      stop: () => calls.stopDmsTask(input),
    };
  }
  const input = { replicator, mode };
  return {
    label: 'postgres logical',
    check: () => calls.checkPostgresReplication(input),
    start: () => calls.startPostgresReplication(input),
    describe: (syncPoint) => calls.describePostgresReplication({ ...input, syncPoint }),
    stop: () => calls.stopPostgresReplication(input),
  };
}
