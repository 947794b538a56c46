import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Quick calls: catalog reads, checks, watermarks, the manifest. */
export const quick = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/**
 * Data-moving steps: long, heartbeating (a dead worker is noticed within 30 s and the step retried on
 * another; extract resumes from its last part). Terminal errors are non-retryable ApplicationFailures.
 */
export const bulk = proxyActivities<Activities>({
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '30 seconds',
  // A cancelled run waits until the step has stopped (a load has rolled back) before it cleans up. Set
  // explicitly: an unset cancellationType reaches the core SDK as TRY_CANCEL, which does not wait.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 10 },
});
