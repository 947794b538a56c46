import type { Context as ActivityContext } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptors } from '@temporalio/worker';
import { LOG_CONTEXT_HEADER, logContextOf, snakeCaseTags } from '../common/log-record';

/**
 * Every record an activity logs (ours and the SDK's, which carry workflowId, runId and activityType) also
 * names the pipeline and table: from the workflow's header, else from the activity's own input. Each
 * completed activity logs its duration once; metric tags use the SDK's snake_case.
 */
export function logActivityContext(ctx: ActivityContext): ActivityInterceptors {
  let context: Record<string, string> = {};
  return {
    inbound: {
      async execute(input, next) {
        const header = input.headers[LOG_CONTEXT_HEADER];
        const fromWorkflow = header ? defaultPayloadConverter.fromPayload<Record<string, string>>(header) : {};
        // A table workflow's table wins (its extractKeys reads another table's keys for it); else the input's.
        context = { ...logContextOf(input.args[0]), ...fromWorkflow };
        const started = Date.now();
        const result = await next(input);
        ctx.log.info('activity completed', { durationMs: Date.now() - started });
        return result;
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next({ ...context, ...attributes }),
      getMetricTags: (tags, next) => next(snakeCaseTags(tags)),
    },
  };
}
