import { defaultPayloadConverter, type ActivityInput, type Payload, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { LOG_CONTEXT_HEADER, logContextOf, snakeCaseTags } from '../common/log-record';

/** The pipeline's heartbeatTimeoutSeconds, passed from a run to its children (whose input may not hold the pipeline). */
const HEARTBEAT_HEADER = 'etl-heartbeat-timeout-seconds';

/** `heartbeatTimeoutSeconds` of the pipeline in a workflow's input, if it sets one. */
function heartbeatSecondsOf(input: unknown): number | undefined {
  const pipeline = (input as { pipeline?: { heartbeatTimeoutSeconds?: unknown } } | undefined)?.pipeline;
  const seconds = typeof pipeline === 'object' ? pipeline?.heartbeatTimeoutSeconds : undefined;
  return typeof seconds === 'number' && seconds > 0 ? seconds : undefined;
}

/**
 * Workflow interceptors of every ETL workflow: log records name the pipeline and table of the workflow's
 * input (or its parent's), its activities and children learn them through a header, and metric tags use the
 * SDK's snake_case. A pipeline's `heartbeatTimeoutSeconds` replaces the heartbeat timeout of every activity
 * that has one. Headers, log attributes, tags and activity timeouts add no commands: histories replay unchanged.
 */
export const interceptors: WorkflowInterceptorsFactory = () => {
  let context: Record<string, string> = {};
  let heartbeatSeconds: number | undefined;
  const withContext = <T extends { headers: Record<string, Payload> }>(input: T): T => ({
    ...input,
    headers: {
      ...input.headers,
      [LOG_CONTEXT_HEADER]: defaultPayloadConverter.toPayload(context),
      ...(heartbeatSeconds ? { [HEARTBEAT_HEADER]: defaultPayloadConverter.toPayload(heartbeatSeconds) } : {}),
    },
  });
  const withHeartbeat = (input: ActivityInput): ActivityInput =>
    heartbeatSeconds && input.options.heartbeatTimeout !== undefined ? { ...input, options: { ...input.options, heartbeatTimeout: heartbeatSeconds * 1000 } } : input;
  return {
    inbound: [
      {
        execute: (input, next) => {
          // A child (the replication catch-up) inherits its parent's pipeline; its own input may refine it.
          const header = input.headers[LOG_CONTEXT_HEADER];
          const inherited = header ? defaultPayloadConverter.fromPayload<Record<string, string>>(header) : {};
          context = { ...inherited, ...logContextOf(input.args[0]) };
          const parentHeartbeat = input.headers[HEARTBEAT_HEADER];
          heartbeatSeconds = heartbeatSecondsOf(input.args[0]) ?? (parentHeartbeat ? defaultPayloadConverter.fromPayload<number>(parentHeartbeat) : undefined);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(withContext(withHeartbeat(input))),
        scheduleLocalActivity: (input, next) => next(withContext(input)),
        startChildWorkflowExecution: (input, next) => next(withContext(input)),
        continueAsNew: (input, next) => next(withContext(input)),
        getLogAttributes: (input, next) => next({ ...context, ...input }),
        getMetricTags: (input, next) => next(snakeCaseTags(input)),
      },
    ],
  };
};
