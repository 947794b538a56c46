import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { pauseSignal, resumeSignal } from '../workflows/run-control';
import { cancelRunUpdate, pauseRunUpdate, resumeRunUpdate, type RunState } from '../workflows/run-updates';
import { describeError } from './errors';

export type SteerAction = 'pause' | 'resume' | 'cancel';

const UPDATES = { pause: pauseRunUpdate, resume: resumeRunUpdate, cancel: cancelRunUpdate } as const;

/** A run started by code older than the steering updates has no handler for them (the SDK rejects it so). */
function isUnknownUpdate(error: unknown): boolean {
  return /No registered handler for update/i.test(describeError(error));
}

/** Why the run's validator refused the request (e.g. pausing a paused run), as the run said it. */
export class SteerRejectedError extends Error {}

/**
 * Pauses, resumes or cancels a run with its validated update and returns the state it reports (a cancel
 * is then requested from Temporal, as the run cannot request its own); a run
 * started before the updates existed gets the `pause`/`resume` signal or Temporal's cancel request instead
 * (then undefined: that run cannot say its new state).
 */
export async function steerRun(input: { client: Client; workflowId: string; action: SteerAction }): Promise<RunState | undefined> {
  const handle = input.client.workflow.getHandle(input.workflowId);
  try {
    const state = await handle.executeUpdate(UPDATES[input.action]);
    // The run accepted the cancellation; only Temporal's cancel request can end it as cancelled.
    if (input.action === 'cancel') await handle.cancel();
    return state;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && !isUnknownUpdate(error)) throw new SteerRejectedError(describeError(error));
    if (!isUnknownUpdate(error)) throw error;
  }
  if (input.action === 'cancel') await handle.cancel();
  else await handle.signal(input.action === 'pause' ? pauseSignal : resumeSignal);
  return undefined;
}
