import { randomUUID } from 'node:crypto';
import {
  DatabaseMigrationServiceClient, DatabaseMigrationServiceServiceException, DescribeReplicationTasksCommand, DescribeTableStatisticsCommand,
  ResourceNotFoundFault, StartReplicationTaskCommand, StopReplicationTaskCommand, type ReplicationTask, type TableStatistics,
} from '@aws-sdk/client-database-migration-service';
import { WorkflowFailedError } from '@temporalio/client';
import { mockClient } from 'aws-sdk-client-mock';
import { describeError } from '../../src/client/errors';
import type { ReplicationSpec } from '../../src/config/replication';
import { replicationWorkflow } from '../../src/workflows';
import { createHarness, type Harness } from '../support/harness';

const TASK_ARN = 'arn:aws:dms:eu-west-1:123456789012:task:SALESFULLLOAD';
const dms = mockClient(DatabaseMigrationServiceClient);
let harness: Harness;
let worker: { stop(): Promise<void> };

const spec = (mode: ReplicationSpec['mode'] = 'full-load'): ReplicationSpec => ({
  replicator: { type: 'dms', taskArn: TASK_ARN, reloadTarget: false },
  mode,
  lagThreshold: { bytes: 1024, seconds: 60 },
  pollSeconds: 0.1,
});

const task = (fields: Partial<ReplicationTask>): ReplicationTask => ({
  ReplicationTaskArn: TASK_ARN, ReplicationTaskIdentifier: 'sales-full-load', MigrationType: 'full-load', ...fields,
});
const loading = (percent: number) => task({ Status: 'running', ReplicationTaskStartDate: new Date(), ReplicationTaskStats: { FullLoadProgressPercent: percent, TablesLoaded: 1, TablesLoading: 1, TablesQueued: 1, TablesErrored: 0 } });
const table = (name: string, state: string, rows: number): TableStatistics => ({ SchemaName: 'raw', TableName: name, TableState: state, FullLoadRows: rows });

/** Each DescribeReplicationTasks call answers the next of `tasks`, the last one for ever after. */
function describes(...tasks: ReplicationTask[]): void {
  const stub = dms.on(DescribeReplicationTasksCommand);
  for (const [index, answer] of tasks.entries()) {
    if (index === tasks.length - 1) stub.resolves({ ReplicationTasks: [answer] });
    else stub.resolvesOnce({ ReplicationTasks: [answer] });
  }
}

async function run(input: ReplicationSpec) {
  return harness.client.workflow.execute(replicationWorkflow, { taskQueue: harness.settings.temporal.taskQueue, workflowId: `test-dms-${randomUUID()}`, args: [input] });
}

async function failureOf(input: ReplicationSpec): Promise<string> {
  const error = await run(input).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return describeError(error);
}

beforeAll(async () => {
  harness = await createHarness();
  worker = await harness.startWorker();
});
afterAll(async () => {
  await worker.stop();
  await harness.close();
});
beforeEach(() => dms.reset());

describe('a DMS task driven by replicationWorkflow', () => {
  it('starts a new task with start-replication and returns once it stops with FULL_LOAD_ONLY_FINISHED', async () => {
    const ready = task({ Status: 'ready' });
    describes(ready, ready, task({ Status: 'starting' }), loading(40), loading(90),
      task({ Status: 'stopped', StopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED', ReplicationTaskStats: { FullLoadProgressPercent: 100, TablesLoaded: 3 } }));
    dms.on(DescribeTableStatisticsCommand).resolves({ TableStatistics: [table('customers', 'Table completed', 5000), table('sales', 'Table completed', 100_000)] });
    dms.on(StartReplicationTaskCommand).resolves({});

    const result = await run(spec());

    expect(result).toMatchObject({ replicator: 'AWS DMS', outcome: 'loaded', state: 'stopped', inSync: true, rows: 105_000, action: 'already stopped' });
    expect(result.tables).toEqual([{ table: 'raw.customers', state: 'Table completed', rows: 5000 }, { table: 'raw.sales', state: 'Table completed', rows: 100_000 }]);
    expect(dms.commandCalls(StartReplicationTaskCommand).map((call) => call.args[0].input)).toEqual([{ ReplicationTaskArn: TASK_ARN, StartReplicationTaskType: 'start-replication' }]);
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(0);
  });

  it('resumes a stopped task with resume-processing, and reloads it when asked', async () => {
    const stopped = task({ Status: 'stopped', ReplicationTaskStartDate: new Date(), StopReason: 'Stop Reason NORMAL' });
    const finished = task({ Status: 'stopped', StopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED' });
    describes(stopped, stopped, finished);
    dms.on(DescribeTableStatisticsCommand).resolves({ TableStatistics: [] });
    dms.on(StartReplicationTaskCommand).resolves({});
    await run(spec());
    describes(stopped, stopped, finished);
    await run({ ...spec(), replicator: { type: 'dms', taskArn: TASK_ARN, reloadTarget: true } });
    expect(dms.commandCalls(StartReplicationTaskCommand).map((call) => call.args[0].input.StartReplicationTaskType)).toEqual(['resume-processing', 'reload-target']);
  });

  it('fails with the task’s LastFailureMessage when the task fails', async () => {
    describes(task({ Status: 'ready' }), task({ Status: 'ready' }), loading(10),
      task({ Status: 'failed', StopReason: 'Stop Reason FATAL_ERROR', LastFailureMessage: 'Error in source endpoint: password authentication failed for user "dms"' }));
    dms.on(DescribeTableStatisticsCommand).resolves({ TableStatistics: [] });
    dms.on(StartReplicationTaskCommand).resolves({});
    expect(await failureOf(spec())).toBe('replication failed: DMS task sales-full-load failed: Error in source endpoint: password authentication failed for user "dms"');
  });

  it('names the table in "Table error"', async () => {
    describes(task({ Status: 'ready' }), task({ Status: 'ready' }), loading(60));
    dms.on(DescribeTableStatisticsCommand).resolves({ TableStatistics: [table('customers', 'Table completed', 5000), table('sales', 'Table error', 12)] });
    dms.on(StartReplicationTaskCommand).resolves({});
    expect(await failureOf(spec())).toBe('replication failed: tables in "Table error": raw.sales');
  });

  it('retries a throttled call and carries on', async () => {
    describes(task({ Status: 'ready' }), task({ Status: 'ready' }), task({ Status: 'stopped', StopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED' }));
    dms.on(DescribeTableStatisticsCommand).resolves({ TableStatistics: [] });
    const throttled = new DatabaseMigrationServiceServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    dms.on(StartReplicationTaskCommand).rejectsOnce(throttled).resolves({});
    expect(await run(spec())).toMatchObject({ outcome: 'loaded' });
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(2);
  });

  it('fails at once, before starting anything, on an unknown task ARN', async () => {
    dms.on(DescribeReplicationTasksCommand).rejects(new ResourceNotFoundFault({ $metadata: { httpStatusCode: 400 }, message: 'No Tasks found matching the provided filters' }));
    const message = await failureOf(spec());
    expect(message).toContain('DMS DescribeReplicationTasks: ResourceNotFoundFault: No Tasks found matching the provided filters');
    expect(message).toContain(`no replication task ${TASK_ARN}; check replication.replicator.taskArn and its region`);
    expect(dms.commandCalls(DescribeReplicationTasksCommand)).toHaveLength(1);
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
  });

  it('refuses a task whose migration type is not the mode asked for', async () => {
    describes(task({ Status: 'ready', MigrationType: 'full-load' }));
    expect(await failureOf(spec('full-load-and-cdc'))).toBe(`replication: DMS task ${TASK_ARN} is a full-load task, but replication.mode is full-load-and-cdc`);
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
  });
});
