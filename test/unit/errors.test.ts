import { ApplicationFailure } from '@temporalio/common';
import { classifyDuckdbError, classifyPostgresError, classifyS3Error } from '../../src/runtime/errors';
import { describeError } from '../../src/client/errors';

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

describe('errors never carry a source row', () => {
  const csvError =
    'Conversion Error: CSV Error on Line: 1\nOriginal Line: 2,Infinity,secret@example.com\nError when converting column "n". Could not convert string "Infinity" to \'DECIMAL\'\n\n' +
    "Column n is being converted as type DECIMAL\nThis type was auto-detected from the CSV file.\nPossible solutions:\n* Override the type for this column manually by setting the type explicitly, e.g., types={'n': 'VARCHAR'}\n";

  it('turns DuckDB\'s CSV error into one sentence naming pipeline, table and column, without the line it echoes', () => {
    const failure = classifyDuckdbError(new Error(csvError), { pipeline: 'p', table: 'sales', step: 'extract' });
    expect(failure).toMatchObject({ type: 'DuckDBConversionError', nonRetryable: true });
    expect(failure.message).toBe(
      'DuckDB: Conversion Error: column n: a source value does not read as DuckDB DECIMAL (line 1 of the extract spool; the value is not shown). ' +
        "The source column's values no longer fit the type the plan step chose: re-run (the plan measures again), or set types: { n: VARCHAR } on the table to carry its exact text form (pipeline=p, table=sales, step=extract)",
    );
    expect(failure.message).not.toMatch(/Infinity|secret|Original Line|types=\{/);
  });

  it('names the column of a Postgres data error during a load, and drops the quoted value', () => {
    const error = Object.assign(pgError('22P02', 'invalid input syntax for type integer: "abc"'), { where: 'COPY etl_stage, line 3, column d: "abc"' });
    const failure = classifyPostgresError(error, { pipeline: 'p', table: 'sales', target: 'analytics.sales', step: 'load' });
    expect(failure).toMatchObject({ type: 'PostgresDataError', nonRetryable: true });
    expect(failure.message).toBe(
      'Postgres: column d: invalid input syntax for type integer; a value no longer fits the warehouse column: check the source column\'s type (onSchemaChange: evolve widens compatible types) or alter the target column (pipeline=p, table=sales, target=analytics.sales, step=load, sqlstate=22P02)',
    );
    const conversion = classifyDuckdbError(new Error('Conversion Error: Could not convert string "abc" to INT32'), {});
    expect(conversion.message).toBe('DuckDB: Conversion Error: Could not convert string (not shown) to INT32');
  });
});

describe('errors the etl command prints', () => {
  it('says in one sentence that a run or a schedule does not exist, without the gRPC status', () => {
    const notFound = (id: string) => new Error('wrapped', { cause: new Error(`5 NOT_FOUND: workflow not found for ID: ${id}`) });
    expect(describeError(notFound('demo-2026-01-01-x'))).toBe(
      'no run demo-2026-01-01-x on this Temporal namespace (use the workflow id etl run printed, or find it with temporal workflow list)',
    );
    expect(describeError(notFound('temporal-sys-scheduler:etl-demo'))).toBe('no schedule etl-demo on this Temporal namespace (etl schedule list shows them)');
    expect(describeError(new Error('9 FAILED_PRECONDITION: workflow execution already completed'))).toBe('workflow execution already completed');
  });
});
