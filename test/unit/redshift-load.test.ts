import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  ResourceNotFoundException,
  type DescribeStatementResponse,
  type ExecuteStatementInput,
  type Field,
} from '@aws-sdk/client-redshift-data';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import { createRedshiftTarget, type RedshiftLoadInput, type RedshiftPolling, type StatementProgress } from '../../src/connectors/targets/redshift/load';
import { buildLoadBatch } from '../../src/connectors/targets/redshift/sql';
import { ORDERS_TABLE } from '../support/orders-table';
import { defaultPayloadConverter } from '@temporalio/common';
import { liveTableProgress } from '../../src/client/live-table-progress';

const redshift = mockClient(RedshiftDataClient);
beforeEach(() => redshift.reset());

const warehouse: RedshiftLoadInput['warehouse'] = {
  type: 'redshift',
  database: 'analytics',
  workgroupName: 'etl-wg',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:etl',
  iamRoleArn: 'arn:aws:iam::123456789012:role/redshift-copy',
};

const input: RedshiftLoadInput = {
  ...ORDERS_TABLE,
  rollups: [],
  runId: 'nightly-2024-01-31',
  watermark: '2024-01-31',
  files: { bucket: 'lake', prefix: 'processed/orders/run-1', keys: ['processed/orders/run-1/part-0.parquet'] },
  expected: { rows: 3, keyChecksum: '1234567890', columnChecksums: { order_id: '1', amount: '2', sale_date: '3' }, rowChecksum: '4' },
  warehouse,
};
const s3Prefix = 's3://lake/processed/orders/run-1/';
const sqls = buildLoadBatch({ ...input, s3Prefix, iamRoleArn: warehouse.iamRoleArn });

/** Activities whose polls never wait on the clock and whose heartbeats are recorded. */
function setUp(polling: Partial<RedshiftPolling> = {}) {
  const heartbeats: StatementProgress[] = [];
  const sleeps: number[] = [];
  const activities = createRedshiftTarget({
    redshiftData: new RedshiftDataClient({ region: 'eu-west-1' }),
    redshiftPolling: {
      sleep: (ms) => Promise.resolve(void sleeps.push(ms)),
      heartbeat: (progress) => void heartbeats.push(progress),
      heartbeatDetails: () => undefined,
      ...polling,
    },
  });
  return { activities, heartbeats, sleeps };
}

type Described = Omit<DescribeStatementResponse, 'Id'>;

function statuses(id: string, ...described: Described[]): void {
  const stub = redshift.on(DescribeStatementCommand, { Id: id });
  described.slice(0, -1).forEach((response) => stub.resolvesOnce({ ...response, Id: id }));
  stub.resolves({ ...described.at(-1), Id: id });
}

function failedBatch(failing: { sql: string; error: string; queryId?: number }): Described {
  const index = sqls.indexOf(failing.sql);
  return {
    Status: 'FAILED',
    Error: failing.error,
    SubStatements: sqls.map((sql, position) => ({
      Id: `batch-1:${position + 1}`,
      QueryString: sql,
      Status: position < index ? 'FINISHED' : position === index ? 'FAILED' : 'ABORTED',
      Error: position === index ? failing.error : undefined,
      RedshiftQueryId: position === index ? failing.queryId : undefined,
    })),
  };
}

/** Routes ExecuteStatement by SQL text to a statement id whose result is `records`. */
interface QueryStub {
  match: RegExp;
  id: string;
  records: Field[][];
  described?: Described;
}

/** ExecuteStatement answers: each SQL matching a stub gets its id, status and records; any other SQL fails the test. */
function queries(...stubs: QueryStub[]): void {
  redshift.on(ExecuteStatementCommand).callsFake((command: ExecuteStatementInput) => {
    const stub = stubs.find((candidate) => candidate.match.test(command.Sql ?? ''));
    if (stub) return { Id: stub.id };
    throw new Error(`unexpected SQL ${command.Sql}`);
  });
  for (const stub of stubs) {
    statuses(stub.id, stub.described ?? { Status: 'FINISHED', HasResultSet: true });
    redshift.on(GetStatementResultCommand, { Id: stub.id }).resolves({ Records: stub.records });
  }
}

function query(match: RegExp, id: string, records: Field[][], described?: Described): void {
  queries({ match, id, records, described });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('loadIntoRedshift', () => {
  it('submits one idempotent batch, polls it to FINISHED and heartbeats each poll', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    statuses('batch-1', { Status: 'SUBMITTED' }, { Status: 'STARTED' }, { Status: 'FINISHED' });
    const { activities, heartbeats, sleeps } = setUp();

    const result = await activities.load(input);

    expect(result).toMatchObject({ rows: 3, keyChecksum: '1234567890' });
    expect(result.seconds).toBeGreaterThanOrEqual(0);
    const calls = redshift.commandCalls(BatchExecuteStatementCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      WorkgroupName: 'etl-wg',
      Database: 'analytics',
      SecretArn: warehouse.secretArn,
      StatementName: 'etl:shop:orders',
      ClientToken: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      Sqls: sqls,
    });
    expect(heartbeats.map((beat) => beat.status)).toEqual(['SUBMITTED', 'STARTED', 'FINISHED']);
    expect(heartbeats[0]).toEqual({ statementId: 'batch-1', status: 'SUBMITTED' });
    expect(sleeps).toEqual([500, 1000]);
  });

  it('heartbeats rows through the load (the COPY\'s staged rows) and statements done, which etl status shows as loaded rows', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    const copyAt = sqls.findIndex((sql) => sql.startsWith('COPY '));
    const running = (finished: number): Described => ({
      Status: 'STARTED',
      SubStatements: sqls.map((sql, position) => ({
        Id: `batch-1:${position + 1}`,
        QueryString: sql,
        Status: position < finished ? 'FINISHED' : position === finished ? 'STARTED' : 'SUBMITTED',
        ResultRows: position < finished && position === copyAt ? 3 : undefined,
      })),
    });
    statuses('batch-1', running(copyAt), running(copyAt + 1), { ...running(sqls.length), Status: 'FINISHED' });
    const { activities, heartbeats } = setUp();

    await activities.load(input);

    expect(copyAt).toBeGreaterThanOrEqual(0);
    expect(heartbeats.map((beat) => [beat.status, beat.step, beat.rows, beat.partsDone, beat.partsTotal])).toEqual([
      ['STARTED', 'load', 0, copyAt, sqls.length],
      ['STARTED', 'load', 3, copyAt + 1, sqls.length],
      ['FINISHED', 'load', 3, sqls.length, sqls.length],
    ]);
    // The client reads the running activity's last heartbeat into the table's progress (etl status, the bar).
    const pending = { activityType: { name: 'loadIntoRedshift' }, heartbeatDetails: { payloads: [defaultPayloadConverter.toPayload(heartbeats[1])] } };
    expect(liveTableProgress({ table: 'orders', stage: 'load', sourceRows: 3, extractedRows: 3, transformedRows: 3 }, [pending]).loadedRows).toBe(3);
  });

  it('derives the same ClientToken for the same run and table, and a different one for another table', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    statuses('batch-1', { Status: 'FINISHED' });
    const { activities } = setUp();

    await activities.load(input);
    await activities.load(input);
    await activities.load({ ...input, table: 'customers' });

    const tokens = redshift.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input.ClientToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it('backs off to at most 5 s between polls, and works outside an activity with the default heartbeat', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    statuses('batch-1', ...Array.from({ length: 6 }, () => ({ Status: 'STARTED' as const })), { Status: 'FINISHED' });
    const sleeps: number[] = [];
    const activities = createRedshiftTarget({
      redshiftData: new RedshiftDataClient({ region: 'eu-west-1' }),
      redshiftPolling: { sleep: (ms) => Promise.resolve(void sleeps.push(ms)) },
    });

    await expect(activities.load(input)).resolves.toMatchObject({ rows: 3 });
    expect(sleeps).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('resumes polling the statement a crashed attempt heartbeated instead of submitting again', async () => {
    statuses('batch-0', { Status: 'STARTED' }, { Status: 'FINISHED' });
    const { activities } = setUp({ heartbeatDetails: () => ({ statementId: 'batch-0', status: 'STARTED' }) });

    await expect(activities.load(input)).resolves.toMatchObject({ rows: 3 });
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
    expect(redshift.commandCalls(DescribeStatementCommand).map((call) => call.args[0].input.Id)).toEqual(['batch-0', 'batch-0']);
  });

  it('resubmits under a new token after a batch that failed transiently', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    statuses('batch-1', { Status: 'FINISHED' });
    await setUp().activities.load(input);
    await setUp({ heartbeatDetails: () => ({ statementId: 'batch-0', status: 'FAILED' }) }).activities.load(input);

    const [first, second] = redshift.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input.ClientToken);
    expect(second).not.toBe(first);
  });

  it('creates missing rollup tables (and their source) before the load batch', async () => {
    const rollup = { target: 'analytics.daily_sales', refreshBy: 'sale_date', groupBy: ['sale_date'], measures: { total: 'sum(amount)' } };
    query(/information_schema\.tables/, 'exists-1', [[{ longValue: 0 }]]);
    redshift.on(BatchExecuteStatementCommand).resolvesOnce({ Id: 'create-1' }).resolves({ Id: 'batch-1' });
    statuses('create-1', { Status: 'FINISHED' });
    statuses('batch-1', { Status: 'FINISHED' });

    await setUp().activities.load({ ...input, rollups: [rollup] });

    const [create, load] = redshift.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input);
    expect(create?.Sqls).toContain('CREATE TABLE IF NOT EXISTS "analytics"."orders" ("order_id" BIGINT NOT NULL, "amount" DECIMAL(12,2), "sale_date" DATE, PRIMARY KEY ("order_id"))');
    expect(create?.Sqls?.at(-1)).toMatch(/^CREATE TABLE "analytics"."daily_sales" AS SELECT "sale_date", sum\("amount"\) AS "total" FROM "analytics"."orders" WHERE 1 = 0/);
    expect(create?.ClientToken).toBeUndefined();
    expect(load?.ClientToken).toMatch(/^[0-9a-f]{64}$/);
  });

  it('puts SYS_LOAD_ERROR_DETAIL rows into a non-retryable RedshiftCopyFailed when the COPY fails', async () => {
    const copy = sqls.find((sql) => sql.startsWith('COPY')) ?? '';
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    statuses('batch-1', failedBatch({ sql: copy, queryId: 777, error: "ERROR: Load into table 'etl_stage' failed. Check 'sys_load_error_detail' system table for details." }));
    const detail: Field[] = [{ stringValue: `${s3Prefix}part-0.parquet` }, { longValue: 12 }, { stringValue: 'amount' }, { longValue: 1216 }, { stringValue: 'Numeric overflow' }];
    query(/sys_load_error_detail WHERE query_id = 777/, 'errors-1', [detail]);

    const failure = await failureOf(setUp().activities.load(input));

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'RedshiftCopyFailed', nonRetryable: true });
    expect(failure.message).toContain(`${s3Prefix}part-0.parquet:12 column amount [1216] Numeric overflow`);
    expect(failure.message).toContain('statementId=batch-1');
    expect(failure.message).toContain('table=analytics.orders');
    expect(failure.message).toContain(`s3Prefix=${s3Prefix}`);
    expect(failure.message).toContain('sql=COPY "etl_stage"');
  });

  it('reports a failed reconcile guard as ReconciliationFailed with the expected numbers, not division by zero', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    statuses('batch-1', failedBatch({ sql: sqls.find((sql) => sql.startsWith('/* etl:reconcile:target')) ?? '', error: 'ERROR: division by zero' }));

    const failure = await failureOf(setUp().activities.load(input));

    expect(failure).toMatchObject({ type: 'ReconciliationFailed', nonRetryable: true });
    expect(failure.message).toContain('the warehouse does not match the transform output: expected 3 rows / checksum 1234567890');
    expect(failure.message).toContain('the target rows after the apply step');
    expect(redshift.commandCalls(ExecuteStatementCommand)).toHaveLength(0);
  });

  it('reports a failed column guard as ContentMismatch naming the table and the column', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    const amountGuard = sqls.find((sql) => sql.startsWith('/* etl:reconcile:columns:1 */')) ?? '';
    statuses('batch-1', failedBatch({ sql: amountGuard, error: 'ERROR: division by zero' }));

    const failure = await failureOf(setUp().activities.load(input));

    expect(failure).toMatchObject({ type: 'ContentMismatch', nonRetryable: true });
    expect(failure.message).toContain('pipeline shop, table orders, step load: the values loaded into analytics.orders.amount differ from the transform output');
    expect(failure.message).toContain('nothing was committed and the watermark is unchanged');
  });

  it('classifies other SQL failures: missing objects are terminal, a serialization conflict is retried', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    const insert = sqls.find((sql) => sql.startsWith('INSERT INTO "analytics"')) ?? '';
    statuses('batch-1', failedBatch({ sql: insert, error: 'ERROR: column "amount" does not exist' }));
    await expect(setUp().activities.load(input)).rejects.toMatchObject({ type: 'RedshiftStatementFailed', nonRetryable: true });

    redshift.reset();
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    statuses('batch-1', failedBatch({ sql: insert, error: 'ERROR: 1023 Serializable isolation violation on table' }));
    const failure = await failureOf(setUp().activities.load(input));
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ name: 'RedshiftTransientError' });
    expect(failure.message).toContain('sql=INSERT INTO "analytics"."orders"');
  });

  it('makes an ABORTED batch non-retryable', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    statuses('batch-1', { Status: 'STARTED' }, { Status: 'ABORTED' });

    await expect(setUp().activities.load(input)).rejects.toMatchObject({ type: 'RedshiftStatementAborted', nonRetryable: true });
  });

  it('aborts the batch in Redshift when the activity is cancelled and reports the cancellation once it stopped', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    redshift.on(CancelStatementCommand).resolves({ Status: true });
    statuses('batch-1', { Status: 'STARTED' }, { Status: 'ABORTED' });
    const cancelled = new CancelledFailure('CANCELLED');
    const { activities } = setUp({ sleep: () => Promise.reject(cancelled) });

    await expect(activities.load(input)).rejects.toBe(cancelled);
    expect(redshift.commandCalls(CancelStatementCommand).map((call) => call.args[0].input.Id)).toEqual(['batch-1']);
  });

  it('keeps a batch that committed before the cancellation reached it', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'batch-1' });
    redshift.on(CancelStatementCommand).rejects(Object.assign(new Error('Could not cancel a query that is already in FINISHED state'), { name: 'ValidationException' }));
    statuses('batch-1', { Status: 'STARTED' }, { Status: 'FINISHED' });
    const { activities } = setUp({ sleep: () => Promise.reject(new CancelledFailure('CANCELLED')) });

    await expect(activities.load(input)).resolves.toMatchObject({ rows: 3 });
  });

  it('rethrows a ThrottlingException as retryable, and the retry succeeds with the same token', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    redshift.on(BatchExecuteStatementCommand).rejectsOnce(throttled).resolves({ Id: 'batch-1' });
    statuses('batch-1', { Status: 'FINISHED' });
    const { activities } = setUp();

    const failure = await failureOf(activities.load(input));
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect(failure.message).toContain('Rate exceeded');
    expect(failure.cause).toBe(throttled);
    await expect(activities.load(input)).resolves.toMatchObject({ rows: 3 });
    const [first, second] = redshift.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input.ClientToken);
    expect(second).toBe(first);
  });

  it('fails at once, non-retryable, on ResourceNotFoundException', async () => {
    const missing = new ResourceNotFoundException({ message: 'Workgroup etl-wg not found', Message: 'Workgroup etl-wg not found', ResourceId: 'etl-wg', $metadata: {} });
    redshift.on(BatchExecuteStatementCommand).rejects(missing);

    await expect(setUp().activities.load(input)).rejects.toMatchObject({ type: 'ResourceNotFoundException', nonRetryable: true });
    expect(redshift.commandCalls(BatchExecuteStatementCommand)).toHaveLength(1);
    expect(redshift.commandCalls(DescribeStatementCommand)).toHaveLength(0);
  });
});

describe('readRedshiftWatermark', () => {
  it('returns the saved watermark and source mark', async () => {
    queries(
      { match: /FROM etl_state\.watermarks WHERE pipeline = 'shop' AND table_name = 'orders'/, id: 'wm-1', records: [[{ stringValue: '2024-01-31' }]] },
      { match: /FROM etl_state\.source_marks WHERE pipeline = 'shop' AND table_name = 'orders'/, id: 'mark-1', records: [[{ stringValue: 'source:16384' }, { longValue: 5000 }]] },
    );

    await expect(setUp().activities.readWatermark({ pipeline: 'shop', table: 'orders', warehouse })).resolves.toEqual({ watermark: '2024-01-31', sourceMark: { id: 'source:16384', rows: 5000 } });
    expect(redshift.commandCalls(ExecuteStatementCommand)[0]?.args[0].input).toMatchObject({ WorkgroupName: 'etl-wg', Database: 'analytics' });
  });

  it('returns no watermark before the first load created etl_state', async () => {
    query(/etl_state\.watermarks/, 'wm-1', [], { Status: 'FAILED', Error: 'ERROR: relation "etl_state.watermarks" does not exist' });

    const result = await setUp().activities.readWatermark({ pipeline: 'shop', table: 'orders', warehouse });
    expect(result.watermark).toBeUndefined();
  });

  it('returns the watermark alone from a warehouse whose etl_state predates source marks', async () => {
    queries(
      { match: /FROM etl_state\.watermarks/, id: 'wm-1', records: [[{ stringValue: '2024-01-31' }]] },
      { match: /FROM etl_state\.source_marks/, id: 'mark-1', records: [], described: { Status: 'FAILED', Error: 'ERROR: relation "etl_state.source_marks" does not exist' } },
    );

    await expect(setUp().activities.readWatermark({ pipeline: 'shop', table: 'orders', warehouse })).resolves.toEqual({ watermark: '2024-01-31' });
  });

  it('returns no watermark when the table has none yet', async () => {
    query(/etl_state\.watermarks/, 'wm-1', []);

    await expect(setUp().activities.readWatermark({ pipeline: 'shop', table: 'orders', warehouse })).resolves.toEqual({});
  });
});

describe('readFileBookmarks on Redshift', () => {
  it('reads the objects a files table loaded, key to ETag', async () => {
    query(/FROM etl_state\.file_bookmarks WHERE pipeline = 'shop' AND table_name = 'returns'/, 'fb-1', [[{ stringValue: 'landing/a.csv' }, { stringValue: 'e1' }], [{ stringValue: 'landing/b.csv.gz' }, { stringValue: 'e2' }]]);

    const bookmarks = await setUp().activities.readFileBookmarks({ pipeline: 'shop', table: 'returns', warehouse });
    expect([...bookmarks]).toEqual([['landing/a.csv', 'e1'], ['landing/b.csv.gz', 'e2']]);
  });

  it('reads none before a load created the bookmarks table', async () => {
    query(/etl_state\.file_bookmarks/, 'fb-1', [], { Status: 'FAILED', Error: 'ERROR: relation "etl_state.file_bookmarks" does not exist' });

    await expect(setUp().activities.readFileBookmarks({ pipeline: 'shop', table: 'returns', warehouse })).resolves.toEqual(new Map());
  });
});

describe('resetRedshiftState', () => {
  const reset = { pipeline: 'shop', tables: [{ name: 'orders', targets: ['analytics.orders', 'analytics.daily_orders'] }], requestedBy: 'ana@laptop', reason: "restored, it's late", runId: 'shop-reset-1' };

  it('forgets the state, empties only the targets that exist, and audits, in one batch', async () => {
    queries(
      { match: /lower\('orders'\)/, id: 'exists-1', records: [[{ longValue: 1 }]] },
      { match: /lower\('daily_orders'\)/, id: 'exists-2', records: [[{ longValue: 0 }]] },
    );
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'reset-1' });
    statuses('reset-1', { Status: 'FINISHED' });

    await expect(setUp().activities.reset({ ...reset, truncate: true, warehouse })).resolves.toEqual({ tables: ['orders'], emptied: ['analytics.orders'] });
    const batch = redshift.commandCalls(BatchExecuteStatementCommand)[0]?.args[0].input.Sqls ?? [];
    expect(batch).toContain("DELETE FROM etl_state.watermarks WHERE pipeline = 'shop' AND table_name = 'orders'");
    expect(batch).toContain("DELETE FROM etl_state.source_marks WHERE pipeline = 'shop' AND table_name = 'orders'");
    expect(batch).toContain('DELETE FROM "analytics"."orders"');
    expect(batch.join('\n')).not.toContain('daily_orders');
    expect(batch.at(-1)).toBe(
      "INSERT INTO etl_state.resets (pipeline, table_name, target_emptied, requested_by, reason, run_id, reset_at) VALUES ('shop', 'orders', true, 'ana@laptop', 'restored, it''s late', 'shop-reset-1', getdate())",
    );
    expect(batch.some((sql) => /TRUNCATE/i.test(sql))).toBe(false);
  });

  it('keeps the targets without --truncate and asks Redshift nothing about them', async () => {
    redshift.on(BatchExecuteStatementCommand).resolves({ Id: 'reset-2' });
    statuses('reset-2', { Status: 'FINISHED' });

    await expect(setUp().activities.reset({ ...reset, truncate: false, warehouse })).resolves.toEqual({ tables: ['orders'], emptied: [] });
    expect(redshift.commandCalls(ExecuteStatementCommand)).toHaveLength(0);
    const batch = redshift.commandCalls(BatchExecuteStatementCommand)[0]?.args[0].input.Sqls ?? [];
    expect(batch.some((sql) => sql.startsWith('DELETE FROM "analytics"'))).toBe(false);
  });
});
