import { defaultPayloadConverter, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { LOG_CONTEXT_HEADER, logContextOf, snakeCaseTags } from '../common/log-record';

/**
 * Workflow interceptors of every ETL workflow: log records name the pipeline and table of the workflow's
 * input, its activities learn them through a header (their records name them too), and metric tags use the
 * SDK's snake_case. Headers, log attributes and tags add no commands: histories replay unchanged.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let context: Record<string, string> = {};
  const withContext = <T extends { headers: Record<string, unknown> }>(input: T): T => ({
    ...input,
    headers: { ...input.headers, [LOG_CONTEXT_HEADER]: defaultPayloadConverter.toPayload(context) },
  });
  return {
    inbound: [
      {
        execute: (input, next) => {
          context = logContextOf(input.args[0]);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(withContext(input)),
        scheduleLocalActivity: (input, next) => next(withContext(input)),
        getLogAttributes: (input, next) => next({ ...context, ...input }),
        getMetricTags: (input, next) => next(snakeCaseTags(input)),
      },
    ],
  };
};
