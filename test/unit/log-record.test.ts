import { runInNewContext } from 'node:vm';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { formatSdkRecord, logContextOf, serializeError, snakeCaseTags } from '../../src/common/log-record';

describe('log records', () => {
  it('logs a failure with its message, type and cause chain instead of {}', () => {
    const root = ApplicationFailure.nonRetryable('pipeline demo, table sales: column "amount" is missing in the source', 'SourceColumnMissing');
    const activity = new ActivityFailure('Activity task failed', 'extractTable', '7', RetryState.NON_RETRYABLE_FAILURE, 'worker-1', root);
    const { meta } = formatSdkRecord({ message: 'Activity failed', meta: { error: activity, durationMs: 12 } });
    const logged = JSON.parse(JSON.stringify(meta)) as { error: Record<string, unknown> & { cause: Record<string, unknown> } };
    expect(logged.error).toMatchObject({ message: 'Activity task failed', type: 'ActivityFailure' });
    expect(logged.error.stack).toEqual(expect.stringContaining('ActivityFailure'));
    expect(logged.error.cause).toEqual({
      message: 'pipeline demo, table sales: column "amount" is missing in the source',
      type: 'SourceColumnMissing',
      nonRetryable: true,
    });
  });

  it('leaves an error it already serialized as it is', () => {
    const once = serializeError(ApplicationFailure.nonRetryable('table sales: no such source table', 'SourceTableMissing'));
    expect(serializeError(once)).toBe(once);
  });

  it('serializes errors from another realm (the workflow sandbox)', () => {
    const error: unknown = runInNewContext('const e = new TypeError("bad input"); e.cause = new Error("root"); e');
    expect(error instanceof Error).toBe(false);
    expect(JSON.parse(JSON.stringify(serializeError(error)))).toMatchObject({ message: 'bad input', type: 'TypeError', cause: { message: 'root', type: 'Error' } });
  });

  it('drops task tokens, spells the run id runId, and shortens the webpack report', () => {
    const { meta } = formatSdkRecord({ message: 'Activity completed', meta: { taskToken: 'CiQ…', workflowRunId: 'r-1', workflowId: 'w-1' } });
    expect(meta).toEqual({ runId: 'r-1', workflowId: 'w-1' });
    const report = 'asset workflow-bundle-abc.js 2.1 MiB [emitted]\nruntime modules 1 KiB\nwebpack 5.101.0 compiled successfully in 3120 ms';
    expect(formatSdkRecord({ message: report }).message).toBe('workflow bundle compiled by webpack');
  });

  it('reads pipeline and table from the input shapes workflows and activities take', () => {
    expect(logContextOf({ pipeline: { name: 'demo' }, table: 'sales' })).toEqual({ pipeline: 'demo', table: 'sales' });
    expect(logContextOf({ table: { name: 'customers' } })).toEqual({ table: 'customers' });
    expect(logContextOf({ plan: { table: 'products' }, location: {} })).toEqual({ table: 'products' });
    expect(logContextOf(undefined)).toEqual({});
  });

  it('spells metric tags in snake_case like the SDK', () => {
    expect(snakeCaseTags({ namespace: 'default', taskQueue: 'q', workflowType: 'nightlyEtlWorkflow' })).toEqual({
      namespace: 'default',
      task_queue: 'q',
      workflow_type: 'nightlyEtlWorkflow',
    });
  });
});
