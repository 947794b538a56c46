import { currentUpdateInfo, defineUpdate, setHandler } from '@temporalio/workflow';
import type { RunProgress } from './progress';
import type { RunControl } from './run-control';
import type { CancelRunInput } from './self-cancel';

/** What a steering update returns: the run's state once the update took effect. */
export interface RunState {
  runId: string;
  status: RunProgress['status'] | 'cancelling';
  step: RunProgress['step'];
  paused: boolean;
  /** True once the cancelRun update cancelled the run by itself; absent in runs that wait for Temporal's cancel request (older ones). */
  cancelsItself?: boolean;
}

/** Pause the run between steps; rejected (not written to the history) when it is already paused or ending. */
export const pauseRunUpdate = defineUpdate<RunState>('pauseRun');
/** Resume a paused run; rejected when it is not paused. */
export const resumeRunUpdate = defineUpdate<RunState>('resumeRun');
/** Cancel the run with `{ reason? }` (its steps stop and roll back, its unfinished lake files go); rejected when the run is past its tables. `temporal workflow update execute --name cancelRun` may omit the input. */
export const cancelRunUpdate = defineUpdate<RunState, [CancelRunInput]>('cancelRun');

const ENDING: ReadonlySet<RunProgress['step']> = new Set(['manifest', 'cleanup', 'done']);

/**
 * Installs the run's steering updates beside its signals: each validator rejects a request that would do
 * nothing (pausing a paused run, resuming a running one, pausing or cancelling past the tables), with a sentence saying why and
 * what to do, and each handler returns the new state. The signals stay for older clients and `temporal workflow signal`.
 */
export function installRunUpdates(input: { progress: RunProgress; control: RunControl; cancel?: (request: { updateId: string; reason?: string }) => boolean }): void {
  const { progress, control } = input;
  let cancelling = false;
  let cancelsItself = false;
  const state = (): RunState => ({
    runId: progress.runId,
    status: cancelling ? 'cancelling' : progress.status,
    step: progress.step,
    paused: control.isPaused(),
    ...(cancelsItself ? { cancelsItself } : {}),
  });
  const refuseEnding = (verb: string) => {
    if (ENDING.has(progress.step)) throw new Error(`run ${progress.runId} is past its tables (step ${progress.step}); there is nothing to ${verb}`);
  };
  setHandler(pauseRunUpdate, () => (control.setPaused(true), state()), {
    description: 'Pause the run before its next step and return its state; rejected when it is already paused, being cancelled or past its tables.',
    validator: () => {
      if (cancelling) throw new Error(`run ${progress.runId} is being cancelled; there is nothing to pause (if it still runs, send the cancel request again: etl cancel ${progress.runId})`);
      refuseEnding('pause');
      if (control.isPaused()) throw new Error(`run ${progress.runId} is already paused; resume it with: etl resume ${progress.runId}`);
    },
  });
  setHandler(resumeRunUpdate, () => (control.setPaused(false), state()), {
    description: 'Resume a paused run and return its state; rejected when it is not paused.',
    validator: () => {
      if (cancelling) throw new Error(`run ${progress.runId} is being cancelled; it cannot be resumed (if it still runs, send the cancel request again: etl cancel ${progress.runId})`);
      if (!control.isPaused()) throw new Error(`run ${progress.runId} is not paused (it is ${progress.status}); pause it with: etl pause ${progress.runId}`);
    },
  });
  setHandler(
    cancelRunUpdate,
    (request?: CancelRunInput) => {
      cancelling = true;
      cancelsItself = input.cancel?.({ updateId: currentUpdateInfo()?.id ?? '?', reason: request?.reason }) ?? false;
      return state();
    },
    {
      description:
        'Cancel the run, optionally with { reason } (who asked is in the history): its running steps stop and roll back, the lake files of its unfinished tables are removed, and it ends cancelled, as on `temporal workflow cancel`. Returns the state. Accepted again while cancelling; rejected when the run is past its tables or has ended.',
      validator: (request?: CancelRunInput) => {
        refuseEnding('cancel');
        if (request?.reason !== undefined && typeof request.reason !== 'string') throw new Error('cancelRun takes { reason?: string }');
      },
    },
  );
}
