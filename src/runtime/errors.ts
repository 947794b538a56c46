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

/**
 * A data error (SQLSTATE 22…) without the value Postgres quotes in it (`invalid input syntax for type integer:
 * "abc"`), naming the column COPY reports in its context line instead, with what to do. Row values never
 * reach logs or histories.
 */
function describeDataError(error: unknown): string {
  const text = describe(error).replace(/:\s*"(?:[^"]|"")*"\s*$/, '');
  const where = (error as { where?: unknown }).where;
  const column = typeof where === 'string' ? /, column ([^:]+):/.exec(where)?.[1] : undefined;
  const what = column ? `column ${column}: ${text}` : text;
  return `${what}; a value no longer fits the warehouse column: check the source column's type (onSchemaChange: evolve widens compatible types) or alter the target column`;
}

export function classifyPostgresError(error: unknown, context: Record<string, unknown>): Error {
  const code = (error as { code?: unknown }).code;
  const type = typeof code === 'string' ? TERMINAL_PG_CLASSES[code.slice(0, 2)] : undefined;
  const text = typeof code === 'string' && code.startsWith('22') ? describeDataError(error) : describe(error);
  const message = withContext(`Postgres: ${text}`, { ...context, sqlstate: code });
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

/**
 * A DuckDB CSV read error names the column and echoes the whole source line, then suggests options no
 * pipeline can set: keep the column and the line number, drop the rest.
 */
function describeCsvError(text: string): string {
  const column = /converting column "([^"]+)"/.exec(text)?.[1] ?? '(unknown)';
  const type = /being converted as type (\S+)/.exec(text)?.[1] ?? 'its mapped type';
  const line = /CSV Error on Line: (\d+)/.exec(text)?.[1] ?? '?';
  return `Conversion Error: column ${column}: a source value does not read as DuckDB ${type} (line ${line} of the extract spool; the value is not shown). The source column's values no longer fit the type the plan step chose: re-run (the plan measures again), or set types: { ${column}: VARCHAR } on the table to carry its exact text form`;
}

/** DuckDB conversion errors quote the value that failed; keep the message, not the value. */
function withoutValues(text: string): string {
  if (/CSV Error on Line/.test(text)) return describeCsvError(text);
  if (!/^Conversion Error/.test(text)) return text;
  return text.replace(/(string|value) ("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/g, '$1 (not shown)').split(/\n\s*\n/)[0] ?? text;
}

/** A DuckDB error's message without the values it quotes (for quarantine reasons, logs and histories). */
export function describeWithoutValues(error: unknown): string {
  return withoutValues(describe(error)).replace(/\n[\s\S]*$/, '');
}

/** DuckDB reports errors as "<Kind> Error: …"; only I/O and HTTP errors are worth a retry. */
export function classifyDuckdbError(error: unknown, context: Record<string, unknown>): Error {
  const text = withoutValues(describe(error));
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
