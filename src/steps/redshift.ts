import { setTimeout as delay } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { CancelStatementCommand, DescribeStatementCommand, ExecuteStatementCommand, type DescribeStatementResponse } from '@aws-sdk/client-redshift-data';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { connectionOf, defaultPolling, waitForStatement, type RedshiftPolling, type StatementProgress, type StatementRunner } from '../connectors/targets/redshift/statements';
import type { RedshiftDeps } from '../connectors/targets/redshift/load';
import { classifyRedshiftStepError, redshiftStepAborted, redshiftStepTimedOut } from './errors';
import { describeStep, stepStatement, type RunRedshiftStepInput, type StepResult } from './types';

const DONE = new Set(['FINISHED', 'FAILED', 'ABORTED']);
const TERMINAL_API_ERRORS = new Set(['ValidationException', 'ResourceNotFoundException', 'AccessDeniedException']);

/** Data API call errors: bad input, a missing workgroup and denied access are terminal; throttling and network retried. */
function classifyApiError(error: unknown, where: string): Error {
  if (error instanceof ApplicationFailure || error instanceof CancelledFailure) return error;
  const name = (error as { name?: unknown }).name;
  const text = `${where}: Redshift Data API ${typeof name === 'string' ? name : 'error'}: ${error instanceof Error ? error.message : String(error)}`;
  if (typeof name === 'string' && TERMINAL_API_ERRORS.has(name)) return ApplicationFailure.create({ message: text, type: 'StepFailed', nonRetryable: true, cause: error as Error });
  return new Error(text, { cause: error });
}

/** The same token on every attempt of one step in one run, so a retried ExecuteStatement does not run it twice. */
function stepClientToken(input: RunRedshiftStepInput, sql: string): string {
  return createHash('sha256').update(JSON.stringify([input.runId, input.step.name, sql])).digest('hex').slice(0, 64);
}

/** Asks Redshift to stop the statement and waits (without the activity's cancelled sleep) until it ended. */
async function cancelStatement(runner: StatementRunner, statementId: string): Promise<DescribeStatementResponse> {
  // CancelStatement fails on a statement that already ended; the poll below tells how it ended.
  await runner.client.send(new CancelStatementCommand({ Id: statementId })).catch(() => undefined);
  return waitForStatement({ ...runner, polling: { ...runner.polling, sleep: (ms) => delay(ms) } }, statementId);
}

/**
 * Polls DescribeStatement, heartbeating { statementId, status }, until the statement ended; past the step's
 * timeout (the waits add up to timeoutSeconds) it is cancelled. A cancelled activity cancels it too.
 */
async function waitWithTimeout(runner: StatementRunner, input: RunRedshiftStepInput, statementId: string): Promise<DescribeStatementResponse> {
  let waited = 0;
  for (let wait = runner.polling.firstDelayMs; ; wait = Math.min(wait * 2, runner.polling.maxDelayMs)) {
    const described = await runner.client.send(new DescribeStatementCommand({ Id: statementId }));
    runner.polling.heartbeat({ statementId, status: described.Status ?? 'UNKNOWN' });
    if (described.Status && DONE.has(described.Status)) return described;
    if (waited >= input.step.timeoutSeconds * 1000) {
      const ended = await cancelStatement(runner, statementId);
      if (ended.Status === 'FINISHED') return ended;
      throw redshiftStepTimedOut({ where: describeStep(input), timeoutSeconds: input.step.timeoutSeconds, statementId });
    }
    try {
      await runner.polling.sleep(wait);
    } catch (error) {
      if (error instanceof CancelledFailure) await cancelStatement(runner, statementId);
      throw error;
    }
    waited += wait;
  }
}

/** The statement a previous attempt submitted and heartbeated, to wait for instead of running the step twice. */
function previousStatement(details: unknown): string | undefined {
  const progress = details as Partial<StatementProgress> | undefined;
  return typeof progress?.statementId === 'string' && progress.status !== 'FAILED' ? progress.statementId : undefined;
}

/**
 * Runs a step on Redshift through the Data API: ExecuteStatement, then DescribeStatement polled with
 * heartbeats; cancelled (CancelStatement) at its timeout or when the activity is cancelled. Rows are
 * DescribeStatement's ResultRows (none for a CALL: null).
 */
export async function runRedshiftStep(deps: RedshiftDeps, input: RunRedshiftStepInput): Promise<StepResult> {
  const polling: RedshiftPolling = { ...defaultPolling, ...deps.redshiftPolling };
  const runner: StatementRunner = { client: deps.redshiftData, warehouse: input.warehouse, polling };
  const where = describeStep(input);
  const started = Date.now();
  try {
    const sql = stepStatement(input.step);
    const statementId =
      previousStatement(polling.heartbeatDetails()) ??
      (await runner.client.send(new ExecuteStatementCommand({ ...connectionOf(input.warehouse), Sql: sql, StatementName: `etl:${input.pipeline}:step:${input.step.name}`, ClientToken: stepClientToken(input, sql) }))).Id;
    if (!statementId) throw new Error('ExecuteStatement returned no statement id');
    const described = await waitWithTimeout(runner, input, statementId);
    if (described.Status === 'ABORTED') throw redshiftStepAborted({ where, statementId });
    if (described.Status !== 'FINISHED') throw classifyRedshiftStepError({ where, error: described.Error ?? 'no error text returned', statementId });
    const rows = typeof described.ResultRows === 'number' && described.ResultRows >= 0 ? described.ResultRows : null;
    return { name: input.step.name, on: input.step.on, rows, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    throw classifyApiError(error, where);
  }
}
