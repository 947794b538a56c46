import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { pauseSignal, resumeSignal } from '../workflows/run-control';
import { cancelRunUpdate, pauseRunUpdate, resumeRunUpdate, type RunState } from '../workflows/run-updates';
import { describeError } from './errors';

export type SteerAction = 'pause' | 'resume' | 'cancel';


/** A run started by code older than the steering updates has no handler for them (the SDK rejects it so). */
function isUnknownUpdate(error: unknown): boolean {
  return /No registered handler for update/i.test(describeError(error));
}

/** Why the run's validator refused the request (e.g. pausing a paused run), as the run said it. */
export class SteerRejectedError extends Error {}

/** Sends the action's update (cancelRun with the reason, if one was given). */
function sendUpdate(input: { handle: WorkflowHandle; action: SteerAction; reason?: string }): Promise<RunState> {
  const { handle, action, reason } = input;
  if (action === 'cancel') return handle.executeUpdate(cancelRunUpdate, { args: [reason === undefined ? {} : { reason }] });
  return handle.executeUpdate(action === 'pause' ? pauseRunUpdate : resumeRunUpdate);
}

/**
 * Pauses, resumes or cancels a run with its validated update and returns the state it reports. A run
 * cancels itself on the cancelRun update; one recorded before it could (no `cancelsItself` in its answer) is
 * then sent Temporal's cancel request. A run started before the updates existed gets the `pause`/`resume`
 * signal or Temporal's cancel request instead (then undefined: that run cannot say its new state).
 */
export async function steerRun(input: { client: Client; workflowId: string; action: SteerAction; reason?: string }): Promise<RunState | undefined> {
  const handle = input.client.workflow.getHandle(input.workflowId);
  try {
    const state = await sendUpdate({ handle, action: input.action, reason: input.reason });
    if (input.action === 'cancel' && !state.cancelsItself) await handle.cancel();
    return state;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && !isUnknownUpdate(error)) throw new SteerRejectedError(describeError(error));
    if (!isUnknownUpdate(error)) throw error;
  }
  if (input.action === 'cancel') await handle.cancel();
  else await handle.signal(input.action === 'pause' ? pauseSignal : resumeSignal);
  return undefined;
}
