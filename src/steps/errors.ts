import { ApplicationFailure } from '@temporalio/activity';
import { redactText } from '../common/redact';

/**
 * SQLSTATEs a retry can fix: connection failures (08), the server shutting down or starting (57P01–57P03),
 * insufficient resources (53), serialization failures and deadlocks (40001, 40P01). Every other SQLSTATE is the
 * step's SQL failing (syntax, RAISE EXCEPTION, a constraint): running it again would fail the same way.
 */
const TRANSIENT_SQLSTATE = /^(08|53|57P0[123]|40001|40P01)/;

/** The database's message without a value it quotes at the end (`invalid input syntax for type integer: "abc"`). */
function databaseMessage(error: unknown): string {
  const text = redactText(error instanceof Error ? error.message : String(error));
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('22') ? text.replace(/:\s*"(?:[^"]|"")*"\s*$/, ': (value not shown)') : text;
}

/** Classifies a Postgres step failure once: SQL errors and timeouts are terminal, connection errors retried. */
export function classifyPostgresStepError(error: unknown, input: { where: string; timeoutSeconds: number }): Error {
  const code = (error as { code?: unknown }).code;
  const sqlstate = typeof code === 'string' ? code : undefined;
  const text = databaseMessage(error);
  if (sqlstate === '57014') {
    const message = `${input.where}: Postgres cancelled the statement after its timeout of ${input.timeoutSeconds} s (${text}); raise timeoutSeconds or make the step faster`;
    return ApplicationFailure.create({ message, type: 'StepTimedOut', nonRetryable: true });
  }
  if (sqlstate && !TRANSIENT_SQLSTATE.test(sqlstate)) {
    const message = `${input.where} failed: Postgres: ${text} (sqlstate ${sqlstate}); fix the step's SQL or procedure and start the run again`;
    // No cause: the driver's error may quote a value (a data error's input), and alerts read the root cause.
    return ApplicationFailure.create({ message, type: 'StepFailed', nonRetryable: true });
  }
  return new Error(`${input.where}: Postgres: ${text}${sqlstate ? ` (sqlstate ${sqlstate})` : ''}; retrying`, { cause: error });
}

// Redshift reports a failed statement's error as text only; these are the ones a retry can fix.
const TRANSIENT_REDSHIFT_ERROR = /serializable isolation violation|connection (reset|refused|closed)|could not connect|timed? ?out|service unavailable|internal ?error|throttl/i;

/** Classifies a FAILED Redshift step statement: a SQL error is terminal, a connection or serialization error retried. */
export function classifyRedshiftStepError(input: { where: string; error: string; statementId?: string }): Error {
  const text = redactText(input.error);
  const id = input.statementId ? `, statement ${input.statementId}` : '';
  if (TRANSIENT_REDSHIFT_ERROR.test(text)) return new Error(`${input.where}: Redshift: ${text}${id}; retrying`);
  const message = `${input.where} failed: Redshift: ${text}${id}; fix the step's SQL or procedure and start the run again`;
  return ApplicationFailure.create({ message, type: 'StepFailed', nonRetryable: true });
}

/** A Redshift step still running at its timeout: it was cancelled (CancelStatement) and the run fails. */
export function redshiftStepTimedOut(input: { where: string; timeoutSeconds: number; statementId: string }): ApplicationFailure {
  const message = `${input.where}: the statement ran past its timeout of ${input.timeoutSeconds} s and was cancelled (CancelStatement, statement ${input.statementId}); raise timeoutSeconds or make the step faster`;
  return ApplicationFailure.create({ message, type: 'StepTimedOut', nonRetryable: true });
}

/** A Redshift step statement someone else aborted: retrying would overrule them. */
export function redshiftStepAborted(input: { where: string; statementId: string }): ApplicationFailure {
  return ApplicationFailure.create({ message: `${input.where}: Redshift aborted the statement (statement ${input.statementId}; cancelled by a user or operator)`, type: 'StepAborted', nonRetryable: true });
}
