import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';

/** gRPC status NOT_FOUND, which Temporal answers for a run that has closed. */
const GRPC_NOT_FOUND = 5;

export interface RequestRunCancellationInput {
  workflowId: string;
  runId: string;
  /** Recorded as the cancel request's reason (the history's `cause`), e.g. who sent the cancelRun update and why. */
  reason: string;
}

/**
 * Temporal's own cancel request for a run that cancelled itself (the cancelRun update), sent with the
 * worker's client: a workflow cannot request its own cancellation, and only such a request ends an execution
 * as CANCELLED (Web UI, `temporal workflow list`) instead of failed.
 */
export function createRunCancellationActivities() {
  return {
    /** Asks Temporal to cancel the given run, naming why; a run that already closed is left as it is. */
    async requestRunCancellation(input: RequestRunCancellationInput): Promise<void> {
      const { client } = Context.current();
      try {
        await client.workflowService.requestCancelWorkflowExecution({
          namespace: client.options.namespace,
          workflowExecution: { workflowId: input.workflowId, runId: input.runId },
          identity: client.options.identity,
          requestId: randomUUID(),
          reason: input.reason,
        });
      } catch (error) {
        // NOT_FOUND: the run already closed (e.g. someone terminated it meanwhile): nothing is left to cancel.
        if ((error as { code?: unknown }).code !== GRPC_NOT_FOUND) throw error;
      }
    },
  };
}
