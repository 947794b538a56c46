import { CancellationScope, log, patched, workflowInfo } from '@temporalio/workflow';
import { quick } from './activities';

/** What the cancelRun update passes: why (recorded in the history beside who sent it). */
export interface CancelRunInput {
  reason?: string;
}

/** A run's body scope, which its cancelRun update cancels: the run then stops as a Temporal cancel request would stop it. */
export interface SelfCancel {
  /** Runs the run's body in the scope the cancelRun update cancels. */
  run<T>(body: () => Promise<T>): Promise<T>;
  /** Called by the cancelRun handler; false in runs recorded before the update cancelled by itself (they wait for Temporal's request). */
  request(input: { updateId: string; reason?: string }): boolean;
  /**
   * After a cancelled run cleaned up: when the update (not Temporal) cancelled it, asks Temporal to cancel the
   * execution (so it ends CANCELLED, not failed) and waits for that request; `cancellation` is rethrown otherwise.
   */
  endCancelled(cancellation: unknown): Promise<never>;
  /** Why the run was cancelled: the cancelRun update's id and reason, or Temporal's cancel request. */
  reason(): string;
}

/** Creates the run's cancellable body scope (a child of the root scope, so Temporal's own cancel request still reaches it). */
export function createSelfCancel(input: { pipeline: string }): SelfCancel {
  const scope = new CancellationScope();
  let reason: string | undefined;
  return {
    run: (body) => scope.run(body),
    reason: () => reason ?? 'a Temporal cancel request (etl history names who sent it)',
    request(request) {
      // Runs recorded before this existed waited for Temporal's cancel request after the update; they replay so.
      if (!patched('cancel-run-update')) return false;
      reason ??= `cancelRun update ${request.updateId}${request.reason ? `: ${request.reason}` : ''}`;
      scope.cancel();
      return true;
    },
    async endCancelled(cancellation) {
      const root = CancellationScope.current();
      if (reason === undefined || root.consideredCancelled) throw cancellation;
      const { workflowId, runId } = workflowInfo();
      try {
        await quick.requestRunCancellation.executeWithOptions({ summary: `end ${workflowId} as cancelled (${input.pipeline})` }, [{ workflowId, runId, reason }]);
        await root.cancelRequested;
      } catch (error) {
        if (root.consideredCancelled) throw error;
        log.warn('the cancelled run could not ask Temporal to record it as cancelled; it ends failed with the cancellation', { pipeline: input.pipeline, error });
      }
      throw cancellation;
    },
  };
}
