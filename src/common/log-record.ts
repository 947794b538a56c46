/** An error as a log record carries it: message, type and the chain of causes (never `{}`). */
export interface LoggedError {
  message: string;
  type: string;
  nonRetryable?: boolean;
  stack?: string;
  cause?: LoggedError;
}

/** Errors from the workflow sandbox come from another realm: `instanceof Error` is false for them. */
function isErrorLike(value: unknown): value is Error & { type?: unknown; nonRetryable?: unknown; failure?: { message?: unknown } } {
  if (value instanceof Error) return true;
  if (!value || typeof value !== 'object') return false;
  return Object.prototype.toString.call(value) === '[object Error]' || (typeof (value as Error).message === 'string' && typeof (value as Error).name === 'string');
}

/** Already serialized (an SDK record's error passes through our logger's serializer too). */
function isLoggedError(value: unknown): value is LoggedError {
  return !!value && typeof value === 'object' && !isErrorLike(value) && typeof (value as LoggedError).message === 'string' && typeof (value as LoggedError).type === 'string';
}

/** message, type (an ApplicationFailure's `type`, else the error's name) and cause chain, at most 8 deep. */
export function serializeError(error: unknown, depth = 0): LoggedError {
  if (isLoggedError(error)) return error;
  if (!isErrorLike(error)) return { message: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error), type: typeof error };
  const type = typeof error.type === 'string' && error.type ? error.type : error.name;
  return {
    message: error.message,
    type,
    ...(typeof error.nonRetryable === 'boolean' ? { nonRetryable: error.nonRetryable } : {}),
    ...(depth === 0 && error.stack ? { stack: error.stack } : {}),
    ...(error.cause !== undefined && depth < 8 ? { cause: serializeError(error.cause, depth + 1) } : {}),
  };
}

/** SDK attribute names and what our records call them: one spelling per field across workflow and activity records. */
const RENAMED: Record<string, string> = { workflowRunId: 'runId' };

/** Attributes never logged: a task token is a credential for completing the task, and useless to read. */
const DROPPED = new Set(['taskToken']);

/** Webpack's build report, logged by the SDK as one multi-line record when it bundles the workflows. */
const WEBPACK_REPORT = /webpack [\d.]+ compiled/;

/**
 * Rewrites one SDK log record for our JSON logs: errors serialized with their cause chain, SDK field names
 * aligned (`runId`), task tokens dropped, and the webpack build report reduced to one line.
 */
export function formatSdkRecord(input: { message: string; meta?: Record<string, unknown> }): { message: string; meta: Record<string, unknown> } {
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input.meta ?? {})) {
    if (DROPPED.has(key) || value === undefined) continue;
    meta[RENAMED[key] ?? key] = isErrorLike(value) ? serializeError(value) : value;
  }
  const message = WEBPACK_REPORT.test(input.message) && !/ERROR/.test(input.message) ? 'workflow bundle compiled by webpack' : input.message;
  return { message, meta };
}

/** The activity header through which a workflow tells its activities' log records the pipeline and table. */
export const LOG_CONTEXT_HEADER = 'etl-log-context';

/** The pipeline and table a workflow or activity works on, read from its one input object (shapes vary). */
export function logContextOf(input: unknown): Record<string, string> {
  if (!input || typeof input !== 'object') return {};
  const { pipeline, table, location, plan } = input as { pipeline?: unknown; table?: unknown; location?: { table?: unknown }; plan?: { table?: unknown } };
  const pipelineName = typeof pipeline === 'string' ? pipeline : (pipeline as { name?: unknown } | undefined)?.name;
  const tableName = typeof table === 'string' ? table : ((table as { name?: unknown } | undefined)?.name ?? location?.table ?? plan?.table);
  return {
    ...(typeof pipelineName === 'string' ? { pipeline: pipelineName } : {}),
    ...(typeof tableName === 'string' ? { table: tableName } : {}),
  };
}

/** Metric tags in the SDK's own spelling (`task_queue`, not `taskQueue`), so one endpoint has one style. */
export function snakeCaseTags<T extends Record<string, unknown>>(tags: T): Record<string, T[keyof T]> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`), value])) as Record<string, T[keyof T]>;
}
