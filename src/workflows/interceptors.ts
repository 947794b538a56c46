import { defaultPayloadConverter, type Payload, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { LOG_CONTEXT_HEADER, logContextOf, snakeCaseTags } from '../common/log-record';

/**
 * Workflow interceptors of every ETL workflow: log records name the pipeline and table of the workflow's
 * input (or its parent's), its activities and children learn them through a header, and metric tags use the
 * SDK's snake_case. Headers, log attributes and tags add no commands: histories replay unchanged.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let context: Record<string, string> = {};
  const withContext = <T extends { headers: Record<string, Payload> }>(input: T): T => ({
    ...input,
    headers: { ...input.headers, [LOG_CONTEXT_HEADER]: defaultPayloadConverter.toPayload(context) },
  });
  return {
    inbound: [
      {
        execute: (input, next) => {
          // A child (the replication catch-up) inherits its parent's pipeline; its own input may refine it.
          const header = input.headers[LOG_CONTEXT_HEADER];
          const inherited = header ? defaultPayloadConverter.fromPayload<Record<string, string>>(header) : {};
          context = { ...inherited, ...logContextOf(input.args[0]) };
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(withContext(input)),
        scheduleLocalActivity: (input, next) => next(withContext(input)),
        startChildWorkflowExecution: (input, next) => next(withContext(input)),
        continueAsNew: (input, next) => next(withContext(input)),
        getLogAttributes: (input, next) => next({ ...context, ...input }),
        getMetricTags: (input, next) => next(snakeCaseTags(input)),
      },
    ],
  };
};
