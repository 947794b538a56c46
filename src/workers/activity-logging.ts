import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';

/** The pipeline and table an activity works on, read from its one input object (shapes vary by activity). */
export function logContextOf(input: unknown): Record<string, string> {
  if (!input || typeof input !== 'object') return {};
  const { pipeline, table, location } = input as { pipeline?: unknown; table?: unknown; location?: { table?: unknown } };
  const tableName = typeof table === 'string' ? table : (table as { name?: unknown } | undefined)?.name ?? location?.table;
  return {
    ...(typeof pipeline === 'string' ? { pipeline } : {}),
    ...(typeof tableName === 'string' ? { table: tableName } : {}),
  };
}

/**
 * Every record an activity logs (ours and the SDK's, which already carry workflowId, workflowRunId and
 * activityType) also names the pipeline and table; each completed activity logs its duration once.
 */
export function logActivityContext(ctx: ActivityContext): ActivityInterceptors {
  let context: Record<string, string> = {};
  return {
    inbound: {
      async execute(input, next) {
        context = logContextOf(input.args[0]);
        const started = Date.now();
        const result = await next(input);
        ctx.log.info('activity completed', { durationMs: Date.now() - started });
        return result;
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next({ ...context, ...attributes }),
    },
  };
}
