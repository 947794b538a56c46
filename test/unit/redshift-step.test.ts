import { CancelStatementCommand, DescribeStatementCommand, ExecuteStatementCommand, RedshiftDataClient, type DescribeStatementResponse } from '@aws-sdk/client-redshift-data';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import type { RedshiftPolling, StatementProgress } from '../../src/connectors/targets/redshift/load';
import { runRedshiftStep } from '../../src/steps/redshift';
import type { RunRedshiftStepInput } from '../../src/steps/types';

const redshift = mockClient(RedshiftDataClient);
beforeEach(() => redshift.reset());

const input: RunRedshiftStepInput = {
  pipeline: 'shop',
  runId: 'nightly-2026-01-31',
  step: { name: 'refresh_summary', on: 'warehouse', after: ['sales'], call: "analytics.refresh_sales_summary('2026-01-01')", timeoutSeconds: 600 },
  warehouse: { type: 'redshift', database: 'analytics', workgroupName: 'etl-wg', iamRoleArn: 'arn:aws:iam::123456789012:role/copy' },
};

/** Polls that never wait on the clock; heartbeats and waits are recorded. */
function setUp(polling: Partial<RedshiftPolling> = {}) {
  const heartbeats: StatementProgress[] = [];
  const sleeps: number[] = [];
  const deps = {
    redshiftData: new RedshiftDataClient({ region: 'eu-west-1' }),
    redshiftPolling: { firstDelayMs: 500, maxDelayMs: 5000, sleep: (ms: number) => Promise.resolve(void sleeps.push(ms)), heartbeat: (progress: StatementProgress) => void heartbeats.push(progress), heartbeatDetails: () => undefined, ...polling },
  };
  return { run: (given: RunRedshiftStepInput = input) => runRedshiftStep(deps, given), heartbeats, sleeps };
}

function statuses(id: string, ...described: Omit<DescribeStatementResponse, 'Id'>[]): void {
  const stub = redshift.on(DescribeStatementCommand, { Id: id });
  described.slice(0, -1).forEach((response) => stub.resolvesOnce({ ...response, Id: id }));
  stub.resolves({ ...described.at(-1), Id: id });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error as Error);
  if (!outcome) throw new Error('expected the step to fail');
  return outcome;
}

describe('a database step on Redshift (Data API)', () => {
  it('runs the CALL with ExecuteStatement, polls DescribeStatement with heartbeats, and reports no row count for a CALL', async () => {
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'st-1' });
    statuses('st-1', { Status: 'SUBMITTED' }, { Status: 'STARTED' }, { Status: 'FINISHED', ResultRows: -1 });
    const { run, heartbeats, sleeps } = setUp();

    await expect(run()).resolves.toMatchObject({ name: 'refresh_summary', on: 'warehouse', rows: null });
    const [call] = redshift.commandCalls(ExecuteStatementCommand).map((sent) => sent.args[0].input);
    expect(call).toMatchObject({ Sql: `CALL "analytics"."refresh_sales_summary"('2026-01-01')`, Database: 'analytics', WorkgroupName: 'etl-wg', StatementName: 'etl:shop:step:refresh_summary' });
    expect(call?.ClientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(heartbeats).toEqual([{ statementId: 'st-1', status: 'SUBMITTED' }, { statementId: 'st-1', status: 'STARTED' }, { statementId: 'st-1', status: 'FINISHED' }]);
    expect(sleeps).toEqual([500, 1000]);
    expect(redshift.commandCalls(CancelStatementCommand)).toEqual([]);
  });

  it('records ResultRows of a sql: step, and sends its text as written', async () => {
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'st-2' });
    statuses('st-2', { Status: 'FINISHED', ResultRows: 42 });
    const sql = 'INSERT INTO analytics.summary SELECT region, sum(amount) FROM analytics.sales GROUP BY region';
    const step = { name: 'summary', on: 'warehouse' as const, sql: 'sql/summary.sql', query: sql, timeoutSeconds: 60 };

    await expect(setUp().run({ ...input, step })).resolves.toMatchObject({ name: 'summary', rows: 42 });
    expect(redshift.commandCalls(ExecuteStatementCommand)[0]?.args[0].input.Sql).toBe(sql);
  });

  it('fails non-retryably with the database message, naming pipeline and step, when the procedure raises', async () => {
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'st-3' });
    statuses('st-3', { Status: 'STARTED' }, { Status: 'FAILED', Error: 'ERROR: boom: summary refused' });

    const failure = await failureOf(setUp().run());
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'StepFailed', nonRetryable: true });
    expect(failure.message).toMatch(/^pipeline shop, step refresh_summary \(on warehouse, call analytics\.refresh_sales_summary\(…\)\) failed: Redshift: ERROR: boom: summary refused, statement st-3; fix/);
  });

  it('retries a serialization failure and a throttled call; a denied call is terminal', async () => {
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'st-4' });
    statuses('st-4', { Status: 'FAILED', Error: 'ERROR: 1023 DETAIL: Serializable isolation violation on table - 100' });
    const serialization = await failureOf(setUp().run());
    expect(serialization).not.toBeInstanceOf(ApplicationFailure);
    expect(serialization.message).toContain('Serializable isolation violation');

    redshift.reset();
    redshift.on(ExecuteStatementCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    expect(await failureOf(setUp().run())).not.toBeInstanceOf(ApplicationFailure);

    redshift.reset();
    redshift.on(ExecuteStatementCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    expect(await failureOf(setUp().run())).toMatchObject({ type: 'StepFailed', nonRetryable: true });
  });

  it('cancels the statement (CancelStatement) when the activity is cancelled, and waits until it stopped', async () => {
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'st-5' });
    redshift.on(CancelStatementCommand).resolves({ Status: true });
    statuses('st-5', { Status: 'STARTED' }, { Status: 'ABORTED' });
    const cancelled = new CancelledFailure('CANCELLED');

    await expect(setUp({ sleep: () => Promise.reject(cancelled) }).run()).rejects.toBe(cancelled);
    expect(redshift.commandCalls(CancelStatementCommand).map((sent) => sent.args[0].input.Id)).toEqual(['st-5']);
    expect(redshift.commandCalls(DescribeStatementCommand)).toHaveLength(2);
  });

  it('cancels the statement once its waits pass timeoutSeconds and fails non-retryably', async () => {
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'st-6' });
    redshift.on(CancelStatementCommand).resolves({ Status: true });
    statuses('st-6', { Status: 'STARTED' }, { Status: 'STARTED' }, { Status: 'STARTED' }, { Status: 'ABORTED' });
    const { run, sleeps } = setUp();

    const failure = await failureOf(run({ ...input, step: { ...input.step, timeoutSeconds: 1 } }));
    expect(failure).toMatchObject({ type: 'StepTimedOut', nonRetryable: true });
    expect(failure.message).toContain('timeout of 1 s and was cancelled (CancelStatement, statement st-6)');
    expect(sleeps).toEqual([500, 1000]);
    expect(redshift.commandCalls(CancelStatementCommand).map((sent) => sent.args[0].input.Id)).toEqual(['st-6']);
  });

  it('a retried attempt waits for the statement the previous one heartbeated instead of running the step again', async () => {
    statuses('st-7', { Status: 'FINISHED', ResultRows: 7 });
    const { run } = setUp({ heartbeatDetails: () => ({ statementId: 'st-7', status: 'STARTED' }) });

    await expect(run()).resolves.toMatchObject({ rows: 7 });
    expect(redshift.commandCalls(ExecuteStatementCommand)).toEqual([]);
  });
});
