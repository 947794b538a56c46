import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Planning and bookkeeping calls: catalog reads, checks, watermarks, the manifest. Every activity heartbeats
 * while it runs (the worker's keep-alive interceptor), so a dead worker is noticed within 20 s and the call
 * retried on another, while a planning query over a big table may still take minutes.
 */
export const quick = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/**
 * Data-moving steps: long, heartbeating (a dead worker is noticed within 20 s and the step retried on
 * another; extract resumes from its last part). Terminal errors are non-retryable ApplicationFailures.
 */
export const bulk = proxyActivities<Activities>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '20 seconds',
  // A cancelled run waits until the step has stopped (a load has rolled back) before it cleans up. Set
  // explicitly: an unset cancellationType reaches the core SDK as TRY_CANCEL, which does not wait.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 10 },
});
