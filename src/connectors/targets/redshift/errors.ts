import type { DescribeStatementResponse } from '@aws-sdk/client-redshift-data';
import { ApplicationFailure } from '@temporalio/activity';
import { redactText } from '../../../common/redact';
import { withContext } from '../../../runtime/errors';
import type { ReconcileStage } from './sql';

/** What every Redshift failure message names, when known. */
export interface RedshiftFailureContext {
  statementId?: string;
  table: string;
  s3Prefix?: string;
  sql?: string;
}

/** The statement of a finished-but-failed description that failed, with its error text and Redshift query id. */
export interface FailedPart {
  sql?: string;
  error: string;
  queryId?: number;
}

const SQL_LIMIT = 500;

/** A Redshift failure worth retrying, already carrying its context; Temporal reports its name as the failure type. */
export class RedshiftTransientError extends Error {
  override name = 'RedshiftTransientError';
}

function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function withSqlContext(message: string, context: RedshiftFailureContext): string {
  return redactText(withContext(message, { ...context, sql: context.sql && truncate(context.sql, SQL_LIMIT) }));
}

function terminal(type: string, message: string, context: RedshiftFailureContext, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, nonRetryable: true, message: withSqlContext(message, context), cause: cause as Error | undefined });
}

/** The failing sub-statement of a batch (DescribeStatement SubStatements[].Status), or the statement itself. */
export function failedPartOf(described: DescribeStatementResponse): FailedPart {
  const sub = described.SubStatements?.find((statement) => statement.Status === 'FAILED');
  return {
    sql: sub?.QueryString ?? described.QueryString,
    error: sub?.Error ?? described.Error ?? 'no error text returned',
    queryId: sub?.RedshiftQueryId ?? described.RedshiftQueryId,
  };
}

const TERMINAL_API_ERRORS = new Set(['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException']);

/** Data API call errors: bad input, a missing resource and denied access are terminal; throttling, 5xx, network are retried. */
export function classifyRedshiftApiError(error: unknown, context: RedshiftFailureContext): Error {
  if (error instanceof ApplicationFailure || error instanceof RedshiftTransientError) return error;
  const name = (error as { name?: unknown }).name;
  const text = error instanceof Error ? error.message : String(error);
  if (typeof name === 'string' && TERMINAL_API_ERRORS.has(name)) return terminal(name, `Redshift Data API ${name}: ${text}`, context, error);
  return new Error(withSqlContext(`Redshift Data API: ${text}`, context), { cause: error });
}

/** A guard found the warehouse different from the transform output; the transaction was rolled back. */
export function reconciliationFailed(input: { stage: ReconcileStage; expected: { rows: number; keyChecksum: string }; context: RedshiftFailureContext }): ApplicationFailure {
  const where = input.stage === 'stage' ? 'the rows COPY staged from S3' : 'the target rows after the apply step';
  const message = `the warehouse does not match the transform output: expected ${input.expected.rows} rows / checksum ${input.expected.keyChecksum}, ${where} differ; nothing was committed`;
  return terminal('ReconciliationFailed', message, input.context);
}

/** A column guard found loaded values different from the processed Parquet; the transaction was rolled back. */
export function contentMismatch(input: { pipeline: string; table: string; target: string; columns: string[]; context: RedshiftFailureContext }): ApplicationFailure {
  const names = input.columns.map((column) => `${input.target}.${column}`).join(', ');
  const scope = input.columns.length > 1 ? `at least one of ${names}` : names;
  const message = `pipeline ${input.pipeline}, table ${input.table}, step load: the values loaded into ${scope} differ from the transform output (per-column checksum); nothing was committed and the watermark is unchanged. Look for a column type or default on the target that converts values`;
  return terminal('ContentMismatch', message, input.context);
}

const COPY_ERROR = /Load into table|stl_load_errors|sys_load_error_detail/i;
const TRANSIENT_COPY_ERROR = /reduce your request rate|slow ?down|internal ?error|service unavailable|timed? ?out|connection reset/i;

/** True when the failing statement is the COPY, or its error points at the load error tables. */
export function isCopyFailure(part: FailedPart): boolean {
  return /^\s*COPY\b/i.test(part.sql ?? '') || COPY_ERROR.test(part.error);
}

/** A failed COPY with the SYS_LOAD_ERROR_DETAIL rows in its message; throttled or 5xx reads of S3 are retried. */
export function copyFailed(part: FailedPart, loadErrors: string, context: RedshiftFailureContext): Error {
  const message = `Redshift COPY failed: ${part.error}; load errors: ${loadErrors}`;
  const withSql = { ...context, sql: part.sql ?? context.sql };
  if (TRANSIENT_COPY_ERROR.test(part.error)) return new RedshiftTransientError(withContext(message, withSql));
  return terminal('RedshiftCopyFailed', message, withSql);
}

// "already exists" stays retryable: a concurrent load may create a rollup between our check and our CREATE.
const TERMINAL_SQL_ERROR = /syntax error|does not exist|permission denied|overflow|out of range|value too long|invalid input syntax|not supported/i;

/** A failed statement: bad SQL, missing objects, permissions and bad values are terminal, anything else is retried. */
export function statementFailed(part: FailedPart, context: RedshiftFailureContext): Error {
  const message = `Redshift statement failed: ${part.error}`;
  const withSql = { ...context, sql: part.sql ?? context.sql };
  if (TERMINAL_SQL_ERROR.test(part.error)) return terminal('RedshiftStatementFailed', message, withSql);
  return new RedshiftTransientError(withContext(message, withSql));
}

/** A statement stopped by a user or operator (DescribeStatement status ABORTED); retrying would overrule them. */
export function statementAborted(context: RedshiftFailureContext): ApplicationFailure {
  return terminal('RedshiftStatementAborted', 'Redshift statement was aborted (cancelled by a user or operator)', context);
}
