import { ApplicationFailure } from '@temporalio/activity';
import { redactText } from '../../common/redact';
import { withContext } from '../../runtime/errors';

/** DMS faults no retry can fix: a wrong ARN or parameter, denied access, a broken KMS key, a quota. */
const TERMINAL_DMS_ERRORS = new Set([
  'ResourceNotFoundFault',
  'InvalidParameterValueException',
  'InvalidParameterCombinationException',
  'AccessDeniedFault',
  'AccessDeniedException',
  'InvalidOperationFault',
  'KMSAccessDeniedFault',
  'KMSDisabledFault',
  'KMSInvalidStateFault',
  'KMSKeyNotAccessibleFault',
  'KMSNotFoundFault',
  'ResourceQuotaExceededFault',
  'UnrecognizedClientException',
]);

/** DMS call errors, classified once here: terminal faults fail at once; throttling, 5xx and network errors are retried. */
export function classifyDmsError(error: unknown, context: { taskArn: string; call: string }): Error {
  if (error instanceof ApplicationFailure) return error;
  const name = (error as { name?: unknown }).name;
  const text = redactText(error instanceof Error ? error.message : String(error));
  const message = withContext(`DMS ${context.call}: ${typeof name === 'string' ? `${name}: ` : ''}${text}`, { taskArn: context.taskArn });
  if (typeof name === 'string' && TERMINAL_DMS_ERRORS.has(name)) {
    const hint = name === 'ResourceNotFoundFault' ? ` — no replication task ${context.taskArn}; check replication.replicator.taskArn and its region` : '';
    // No cause: the message already carries the fault's name and text, and `etl` prints the innermost cause.
    return ApplicationFailure.create({ message: `${message}${hint}`, type: `Dms${name}`, nonRetryable: true });
  }
  return new Error(message, { cause: error });
}
