import { ApplicationFailure } from '@temporalio/common';
import { classifyPostgresStepError } from '../../src/steps/errors';

const where = 'pipeline shop, step refresh (on warehouse, call a.b(…))';
const pgError = (code: string | undefined, message: string) => Object.assign(new Error(message), code ? { code } : {});

describe('classifying a Postgres step failure', () => {
  it.each([
    ['a syntax error', '42601', 'syntax error at or near "SELEC"'],
    ['RAISE EXCEPTION', 'P0001', 'boom'],
    ['a missing procedure', '42883', 'procedure a.b() does not exist'],
    ['a constraint', '23505', 'duplicate key value violates unique constraint "summary_pkey"'],
  ])('makes %s terminal, with the database message', (_what, code, message) => {
    const failure = classifyPostgresStepError(pgError(code, message), { where, timeoutSeconds: 60 });
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'StepFailed', nonRetryable: true });
    expect(failure.message).toBe(`${where} failed: Postgres: ${message} (sqlstate ${code}); fix the step's SQL or procedure and start the run again`);
  });

  it.each([
    ['a dropped connection', '08006', 'connection failure'],
    ['an admin shutdown', '57P01', 'terminating connection due to administrator command'],
    ['a deadlock', '40P01', 'deadlock detected'],
    ['a refused connection (no SQLSTATE)', undefined, 'connect ECONNREFUSED 127.0.0.1:5432'],
  ])('retries %s', (_what, code, message) => {
    const failure = classifyPostgresStepError(pgError(code, message), { where, timeoutSeconds: 60 });
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect(failure.message).toContain(message);
  });

  it('names the timeout when statement_timeout cancelled the statement', () => {
    const failure = classifyPostgresStepError(pgError('57014', 'canceling statement due to statement timeout'), { where, timeoutSeconds: 5 });
    expect(failure).toMatchObject({ type: 'StepTimedOut', nonRetryable: true });
    expect(failure.message).toMatch(/timeout of 5 s .*raise timeoutSeconds/);
  });

  it('never carries the value a data error quotes', () => {
    const failure = classifyPostgresStepError(pgError('22P02', 'invalid input syntax for type integer: "4111-1111-1111-1111"'), { where, timeoutSeconds: 5 });
    expect(failure.message).toContain('invalid input syntax for type integer: (value not shown)');
    expect(JSON.stringify([failure.message, (failure.cause as Error | undefined)?.message])).not.toContain('4111');
  });
});
