import { ApplicationFailure, condition, continueAsNew, defineQuery, defineSignal, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ReplicationSpec } from '../config/replication';
import { replicatorFor } from './replicator';
import { initialStatus, isLagOver, nextStatus, type ReplicationStatus } from './replication-status';

export type { ReplicationStatus, LagAlert } from './replication-status';

/** State, tables, rows, lag and lag alerts of a running replication. */
export const progressQuery = defineQuery<ReplicationStatus>('progress');
/** Ends the replication cleanly: the replicator is stopped (Postgres: subscription and slot dropped). */
export const stopSignal = defineSignal('stop');

export interface ReplicationWorkflowInput extends ReplicationSpec {
  /** `end` (default): a full load runs until loaded, CDC until the stop signal. `in-sync`: return once caught up, leaving CDC running. */
  until?: 'end' | 'in-sync';
  /** Progress checks per run before continuing as new, so an endless CDC run keeps a small history. */
  pollsPerRun?: number;
  /** Carried across continue-as-new: the replication was already checked and started. */
  carried?: { syncPoint?: string; status: ReplicationStatus; seenActive: boolean };
}

/**
 * Replicates the source into the replica (AWS DMS task or Postgres logical replication): checks before
 * changing anything, starts, then polls progress on durable timers until the full load is done, the replica
 * is in sync (`until: 'in-sync'`), or a `stop` signal; an endless CDC run continues as new as it goes.
 */
export async function replicationWorkflow(input: ReplicationWorkflowInput): Promise<ReplicationStatus> {
  const { until = 'end', pollsPerRun = 500, carried, ...spec } = input;
  const replicator = replicatorFor(spec);
  let status = carried?.status ?? initialStatus({ label: replicator.label, spec, startedAt: new Date().toISOString() });
  let stopRequested = false;
  let seenActive = carried?.seenActive ?? false;
  setHandler(progressQuery, () => status);
  setHandler(stopSignal, () => void (stopRequested = true));
  let syncPoint = carried?.syncPoint;
  if (!carried) {
    await replicator.check();
    const started = await replicator.start();
    syncPoint = started.syncPoint;
    status = { ...status, action: started.action };
    log.info('replication started', { replicator: replicator.label, mode: spec.mode, action: started.action });
  }
  const finish = async (outcome: NonNullable<ReplicationStatus['outcome']>, stop: boolean): Promise<ReplicationStatus> => {
    if (stop) status = { ...status, action: (await replicator.stop()).action, state: 'stopped' };
    status = { ...status, outcome };
    log.info('replication finished', { outcome, state: status.state, rows: status.rows });
    return status;
  };
  for (let polls = 1; ; polls += 1) {
    if (stopRequested) return finish('stopped', true);
    const progress = await replicator.describe(syncPoint);
    const wasOver = status.lagAlert;
    status = nextStatus({ status, progress, spec, now: new Date().toISOString() });
    if (status.lagAlert && !wasOver) log.warn('replication lag over threshold', { lag: progress.lag, threshold: spec.lagThreshold });
    if (progress.failure) throw ApplicationFailure.nonRetryable(`replication failed: ${progress.failure}`, 'ReplicationFailed');
    if (progress.inSync && spec.mode === 'full-load') return finish('loaded', true);
    if (progress.inSync && until === 'in-sync' && !isLagOver(progress.lag, spec.lagThreshold)) return finish('in-sync', false);
    if (progress.state === 'stopped' && seenActive) {
      throw ApplicationFailure.nonRetryable(`replication stopped outside this workflow: ${progress.detail ?? 'no detail'}`, 'ReplicationStopped');
    }
    seenActive ||= progress.state !== 'stopped';
    if ((polls >= pollsPerRun || workflowInfo().continueAsNewSuggested) && !stopRequested) {
      await continueAsNew<typeof replicationWorkflow>({ ...input, carried: { syncPoint, status, seenActive } });
    }
    await condition(() => stopRequested, spec.pollSeconds * 1000);
  }
}
