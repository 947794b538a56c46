import { ApplicationFailure } from '@temporalio/common';
import { classifyDuckdbError, classifyPostgresError, classifyS3Error } from '../../src/activities/errors';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('error classification at the adapter edge', () => {
  it('makes bad SQL and missing tables terminal, with context', () => {
    const failure = classifyPostgresError(pgError('42P01', 'relation "raw.nope" does not exist'), { table: 'raw.nope' });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'PostgresSchemaError', nonRetryable: true });
    expect(failure.message).toBe('Postgres: relation "raw.nope" does not exist (table=raw.nope, sqlstate=42P01)');
  });

  it('leaves connection errors retryable and hides passwords', () => {
    const failure = classifyPostgresError(pgError('08006', 'lost postgres://u:pw@h/db'), {});
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect(failure.message).toContain('postgres://u:***@h/db');
    expect(failure.message).not.toContain(':pw@');
  });

  it('treats a missing bucket as terminal and a throttle as transient', () => {
    const missing = Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket' });
    expect(classifyS3Error(missing, { uri: 's3://x/y' })).toMatchObject({ type: 'S3NoSuchBucket', nonRetryable: true });
    const slow = Object.assign(new Error('Please reduce your request rate'), { name: 'SlowDown' });
    expect(classifyS3Error(slow, {})).not.toBeInstanceOf(ApplicationFailure);
  });

  it('retries DuckDB I/O errors only', () => {
    expect(classifyDuckdbError(new Error('Parser Error: syntax error at or near "SELEC"'), {})).toMatchObject({
      type: 'DuckDBParserError',
      nonRetryable: true,
    });
    expect(classifyDuckdbError(new Error('IO Error: Could not write file'), {})).not.toBeInstanceOf(ApplicationFailure);
  });
});
