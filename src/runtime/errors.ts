import { ApplicationFailure } from '@temporalio/activity';
import { redactText } from '../common/redact';

/**
 * Errors are classified once, here at the adapter edge: terminal ones become non-retryable
 * ApplicationFailures whose `type` workflows branch on; anything else is rethrown so the retry policy works.
 */
function describe(error: unknown): string {
  return redactText(error instanceof Error ? error.message : String(error));
}

/** Appends `key=value` context (statement id, table, S3 URI, SQL…) to a failure message. */
export function withContext(message: string, context: Record<string, unknown>): string {
  const parts = Object.entries(context)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return parts.length > 0 ? `${message} (${parts.join(', ')})` : message;
}

/** SQLSTATE classes that no retry can fix: bad SQL, missing objects, bad data, constraints, auth, config. */
const TERMINAL_PG_CLASSES: Record<string, string> = {
  '0A': 'PostgresFeatureNotSupported',
  '22': 'PostgresDataError',
  '23': 'PostgresConstraintViolation',
  '28': 'PostgresAuthError',
  '3D': 'PostgresMissingDatabase',
  '3F': 'PostgresMissingSchema',
  '42': 'PostgresSchemaError',
};

export function classifyPostgresError(error: unknown, context: Record<string, unknown>): Error {
  const code = (error as { code?: unknown }).code;
  const type = typeof code === 'string' ? TERMINAL_PG_CLASSES[code.slice(0, 2)] : undefined;
  const message = withContext(`Postgres: ${describe(error)}`, { ...context, sqlstate: code });
  if (type) return ApplicationFailure.create({ message, type, nonRetryable: true, cause: error as Error });
  return new Error(message, { cause: error });
}

const TERMINAL_S3_ERRORS = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'NoSuchBucket',
  'NoSuchKey',
  'InvalidBucketName',
  'KMS.NotFoundException',
]);

export function classifyS3Error(error: unknown, context: Record<string, unknown>): Error {
  const name = (error as { name?: unknown }).name;
  const message = withContext(`S3: ${describe(error)}`, { ...context, error: name });
  if (typeof name === 'string' && TERMINAL_S3_ERRORS.has(name)) {
    return ApplicationFailure.create({ message, type: `S3${name.replace(/\W/g, '')}`, nonRetryable: true, cause: error as Error });
  }
  return new Error(message, { cause: error });
}

/** DuckDB reports errors as "<Kind> Error: …"; only I/O and HTTP errors are worth a retry. */
export function classifyDuckdbError(error: unknown, context: Record<string, unknown>): Error {
  const text = describe(error);
  const message = withContext(`DuckDB: ${text}`, context);
  if (/^(IO|HTTP|Interrupt) Error/.test(text)) return new Error(message, { cause: error });
  const kind = (/^([A-Za-z ]+?) Error:/.exec(text)?.[1] ?? 'Unknown').replace(/ (\w)/g, (_match, letter: string) => letter.toUpperCase());
  return ApplicationFailure.create({ message, type: `DuckDB${kind}Error`, nonRetryable: true, cause: error as Error });
}

/** SNS errors no retry fixes: a missing topic, no permission, a bad parameter, a disabled KMS key. */
const TERMINAL_SNS_ERRORS = new Set([
  'NotFoundException',
  'AuthorizationErrorException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'InvalidSecurityException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSAccessDeniedException',
]);

export function classifySnsError(error: unknown, context: Record<string, unknown>): Error {
  const name = (error as { name?: unknown }).name;
  const message = withContext(`SNS: ${describe(error)}`, { ...context, error: name });
  if (typeof name === 'string' && TERMINAL_SNS_ERRORS.has(name)) {
    return ApplicationFailure.create({ message, type: `Sns${name.replace(/Exception$/, '')}`, nonRetryable: true, cause: error as Error });
  }
  return new Error(message, { cause: error });
}
