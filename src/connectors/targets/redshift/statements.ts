import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementResponse,
  type Field,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import type { WarehouseSpec } from '../../../config/pipeline-schema';
import { currentContext, type StepProgress } from '../../../runtime/heartbeat';

/** The `redshift` warehouse block of a pipeline file. */
export type RedshiftWarehouse = Extract<WarehouseSpec, { type: 'redshift' }>;

/** What a load batch heartbeats (a retried attempt resumes from statementId and status; the step's rows are for `etl status`). */
export interface StatementProgress extends Partial<StepProgress> {
  statementId: string;
  status: string;
}

/** How the Redshift activities wait for statements; createRedshiftTarget fills in every missing field. */
export interface RedshiftPolling {
  /** First delay between DescribeStatement calls; it doubles up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  heartbeat: (progress: StatementProgress) => void;
  /** The details the previous attempt last heartbeated (activityInfo().heartbeatDetails). */
  heartbeatDetails: () => unknown;
}

/** Defaults: 500 ms doubling to 5 s, Temporal's heartbeat when inside an activity, no-ops outside one. */
export const defaultPolling: RedshiftPolling = {
  firstDelayMs: 500,
  maxDelayMs: 5_000,
  // Context.sleep rejects with CancelledFailure when the activity is cancelled, so a cancelled load stops polling.
  sleep: (ms) => currentContext()?.sleep(ms) ?? delay(ms).then(() => undefined),
  heartbeat: (progress) => currentContext()?.heartbeat(progress),
  heartbeatDetails: (): unknown => currentContext()?.info.heartbeatDetails,
};

/** The client, the warehouse it talks to, and how to wait: everything a statement needs to run. */
export interface StatementRunner {
  client: RedshiftDataClient;
  warehouse: RedshiftWarehouse;
  polling: RedshiftPolling;
}

/** Serverless workgroup or provisioned cluster, authenticated by a Secrets Manager ARN or temporary credentials. */
export function connectionOf(warehouse: RedshiftWarehouse) {
  return {
    Database: warehouse.database,
    WorkgroupName: warehouse.workgroupName,
    ClusterIdentifier: warehouse.clusterIdentifier,
    SecretArn: warehouse.secretArn,
    DbUser: warehouse.dbUser,
  };
}

function requireId(id: string | undefined, operation: string): string {
  if (!id) throw new Error(`Redshift Data API ${operation} returned no statement id`);
  return id;
}

const DONE = new Set(['FINISHED', 'FAILED', 'ABORTED']);

/** Polls DescribeStatement, backing off, until the statement is FINISHED, FAILED or ABORTED. */
export async function waitForStatement(runner: StatementRunner, statementId: string, onPoll?: (status: string, described: DescribeStatementResponse) => void): Promise<DescribeStatementResponse> {
  // The Data API is asynchronous: ExecuteStatement and BatchExecuteStatement return at once and the caller polls
  // DescribeStatement (Redshift Management Guide, "Using the Amazon Redshift Data API").
  for (let wait = runner.polling.firstDelayMs; ; wait = Math.min(wait * 2, runner.polling.maxDelayMs)) {
    const described = await runner.client.send(new DescribeStatementCommand({ Id: statementId }));
    onPoll?.(described.Status ?? 'UNKNOWN', described);
    if (described.Status && DONE.has(described.Status)) return described;
    await runner.polling.sleep(wait);
  }
}

/**
 * A ClientToken that is the same for every attempt of one load (run id, table, statements, and the id of a
 * batch that already failed, if any) and at most 64 characters: a sha256 in hex.
 */
export function batchClientToken(input: { runId: string; table: string; sqls: readonly string[]; failedStatementId?: string }): string {
  const material = JSON.stringify([input.runId, input.table, input.failedStatementId ?? '', input.sqls]);
  return createHash('sha256').update(material).digest('hex').slice(0, 64);
}

/** Submits statements that run as one transaction; returns the statement id to poll. */
export async function submitBatch(runner: StatementRunner, input: { sqls: string[]; statementName?: string; clientToken?: string }): Promise<string> {
  // A repeated ClientToken returns the original statement instead of running the batch again
  // (Redshift Data API Reference, "BatchExecuteStatement": "ensure the idempotency of the request").
  const command = new BatchExecuteStatementCommand({
    ...connectionOf(runner.warehouse),
    Sqls: input.sqls,
    StatementName: input.statementName,
    ClientToken: input.clientToken,
  });
  return requireId((await runner.client.send(command)).Id, 'BatchExecuteStatement');
}

/** A result cell as text; SQL NULL (and a value type this code does not read) as null. */
function cellText(field: Field): string | null {
  const value = field.stringValue ?? field.longValue ?? field.doubleValue ?? field.booleanValue;
  return field.isNull || value === undefined ? null : String(value);
}

/** A query's rows, or the description of how it failed. */
export type QueryOutcome = { ok: true; rows: (string | null)[][] } | { ok: false; described: DescribeStatementResponse };

/** Runs one small query (no heartbeat: those details belong to the load batch) and reads its first result page. */
export async function queryRows(runner: StatementRunner, sql: string): Promise<QueryOutcome> {
  const started = await runner.client.send(new ExecuteStatementCommand({ ...connectionOf(runner.warehouse), Sql: sql }));
  const statementId = requireId(started.Id, 'ExecuteStatement');
  const described = await waitForStatement(runner, statementId);
  if (described.Status !== 'FINISHED') return { ok: false, described };
  if (described.HasResultSet === false) return { ok: true, rows: [] };
  const result = await runner.client.send(new GetStatementResultCommand({ Id: statementId }));
  return { ok: true, rows: (result.Records ?? []).map((record) => record.map(cellText)) };
}
