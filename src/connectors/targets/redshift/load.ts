import { setTimeout as delay } from 'node:timers/promises';
import { CancelStatementCommand, type DescribeStatementResponse, type RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { CancelledFailure } from '@temporalio/common';
import type { Rollup } from '../../../config/pipeline-schema';
import { createRollupTable, createTargetTable, verifiedColumns } from '../load-plan';
import { resetTables, selectFileBookmarks, selectSourceMark, selectWatermark } from '../state-sql';
import { buildLoadBatch, reconcileStageOf, selectLoadErrors, selectTableExists, selectTargetColumns } from './sql';
import type { TargetColumn } from '../schema-change';
import type { StepProgress } from '../../../runtime/heartbeat';
import type { LoadTableInput, LoadTableResult, ReadWatermarkInput, ResetTablesInput, ResetTablesResult, SavedState, TargetConnector } from '../types';
import { guardedColumnsOf } from './column-guards';
import {
  classifyRedshiftApiError,
  contentMismatch,
  copyFailed,
  failedPartOf,
  isCopyFailure,
  reconciliationFailed,
  statementAborted,
  statementFailed,
  type RedshiftFailureContext,
} from './errors';
import {
  batchClientToken,
  defaultPolling,
  queryRows,
  submitBatch,
  waitForStatement,
  type RedshiftPolling,
  type RedshiftWarehouse,
  type StatementProgress,
  type StatementRunner,
} from './statements';

export interface RedshiftDeps {
  redshiftData: RedshiftDataClient;
  /** Poll delays, sleep and heartbeat hooks; unset fields use Temporal's activity context (no-ops outside one). */
  redshiftPolling?: Partial<RedshiftPolling>;
}

export type RedshiftLoadInput = LoadTableInput & { warehouse: RedshiftWarehouse };
export type { RedshiftPolling, RedshiftWarehouse, StatementProgress } from './statements';

const LOAD_ERROR_ROWS = 10;

function s3PrefixOf(files: LoadTableInput['files']): string {
  // COPY reads every object whose key starts with the prefix; the trailing slash keeps part-1 from matching part-10/.
  return `s3://${files.bucket}/${files.prefix.endsWith('/') ? files.prefix : `${files.prefix}/`}`;
}

/** The previous attempt's batch when it may still be running or may have finished; a FAILED one is not resumed. */
function resumableProgress(details: unknown): StatementProgress | undefined {
  const progress = details as Partial<StatementProgress> | undefined;
  return typeof progress?.statementId === 'string' && typeof progress.status === 'string' ? (progress as StatementProgress) : undefined;
}

/**
 * The load's progress from the batch's sub-statements, as the Postgres load heartbeats it: statements finished
 * of all, and rows through the load = the rows the COPY staged (its ResultRows once it finished). Nothing when
 * DescribeStatement lists no sub-statements yet.
 */
export function loadProgressOf(described: DescribeStatementResponse): Partial<StepProgress> {
  const parts = described.SubStatements ?? [];
  if (parts.length === 0) return {};
  const copy = parts.find((part) => /^\s*COPY\b/i.test(part.QueryString ?? ''));
  const rows = copy?.Status === 'FINISHED' ? Number(copy.ResultRows ?? 0) : 0;
  return { step: 'load', partsDone: parts.filter((part) => part.Status === 'FINISHED').length, partsTotal: parts.length, rows, bytes: 0 };
}

/** Why a statement that did not finish failed: aborted by someone, or a classified SQL error. */
function unfinishedError(described: DescribeStatementResponse, context: RedshiftFailureContext): Error {
  if (described.Status === 'ABORTED') return statementAborted({ ...context, statementId: described.Id });
  return statementFailed(failedPartOf(described), { ...context, statementId: described.Id });
}

async function tableExists(runner: StatementRunner, qualifiedName: string, context: RedshiftFailureContext): Promise<boolean> {
  const outcome = await queryRows(runner, selectTableExists({ qualifiedName }));
  if (!outcome.ok) throw unfinishedError(outcome.described, context);
  return Number(outcome.rows[0]?.[0] ?? 0) > 0;
}

/** Creates missing rollup tables (and the target they read) first: Redshift has no CREATE TABLE IF NOT EXISTS … AS. */
async function ensureRollups(runner: StatementRunner, input: RedshiftLoadInput, context: RedshiftFailureContext): Promise<void> {
  const exists = await Promise.all(input.rollups.map((rollup) => tableExists(runner, rollup.target, context)));
  const missing = input.rollups.filter((_, index) => !exists[index]);
  if (missing.length === 0) return;
  const target = createTargetTable({ dialect: 'redshift', target: input.target, columns: input.columns, keys: input.keys });
  const create = (rollup: Rollup) => createRollupTable({ rollup, source: input.target, dialect: 'redshift' });
  const statementId = await submitBatch(runner, { sqls: [...target, ...missing.flatMap(create)] });
  const described = await waitForStatement(runner, statementId);
  if (described.Status !== 'FINISHED') throw unfinishedError(described, context);
}

function isMissingStateTable(described: DescribeStatementResponse): boolean {
  const error = described.Error ?? '';
  return /etl_state/i.test(error) && /does not exist/i.test(error);
}

async function loadErrorDetail(runner: StatementRunner, queryId: number | undefined): Promise<string> {
  try {
    const outcome = await queryRows(runner, selectLoadErrors({ limit: LOAD_ERROR_ROWS, queryId }));
    if (!outcome.ok) return `unavailable (${outcome.described.Error ?? outcome.described.Status})`;
    if (outcome.rows.length === 0) return `none in SYS_LOAD_ERROR_DETAIL${queryId ? ` for query_id ${queryId}` : ''}`;
    return outcome.rows.map(([file, line, column, code, message]) => `${file}:${line} column ${column} [${code}] ${message}`).join('; ');
  } catch (error) {
    // The detail only enriches the message; failing to read it must not hide the COPY failure itself.
    return `unavailable (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function failureOf(runner: StatementRunner, described: DescribeStatementResponse, input: RedshiftLoadInput, context: RedshiftFailureContext): Promise<Error> {
  const statementContext = { ...context, statementId: described.Id };
  if (described.Status === 'ABORTED') return statementAborted(statementContext);
  const part = failedPartOf(described);
  const stage = reconcileStageOf(part.sql) ?? reconcileStageOf(part.error);
  if (stage) return reconciliationFailed({ stage, expected: input.expected, context: { ...statementContext, sql: part.sql } });
  const guarded = guardedColumnsOf(part.sql) ?? guardedColumnsOf(part.error);
  if (guarded) {
    const verified = verifiedColumns(input);
    const columns = guarded.map((index) => verified[index]?.name ?? `#${index}`);
    return contentMismatch({ pipeline: input.pipeline, table: input.table, target: input.target, columns, context: statementContext });
  }
  if (isCopyFailure(part)) return copyFailed(part, await loadErrorDetail(runner, part.queryId), statementContext);
  return statementFailed(part, statementContext);
}

/**
 * Polls the batch, heartbeating { statementId, status } so a retried attempt can resume the same statement.
 * When the activity is cancelled, asks Redshift to abort the batch (its transaction rolls back) and waits
 * until it stopped, so no load commits after its run was cancelled; a batch that finished first stays.
 */
async function waitForBatch(runner: StatementRunner, statementId: string): Promise<DescribeStatementResponse> {
  try {
    return await waitForStatement(runner, statementId, (status, described) => runner.polling.heartbeat({ statementId, status, ...loadProgressOf(described) }));
  } catch (error) {
    if (!(error instanceof CancelledFailure)) throw error;
    // CancelStatement fails on a statement that already ended; the poll below tells how it ended.
    await runner.client.send(new CancelStatementCommand({ Id: statementId })).catch(() => undefined);
    const ended = await waitForStatement({ ...runner, polling: { ...runner.polling, sleep: (ms) => delay(ms) } }, statementId);
    if (ended.Status === 'FINISHED') return ended;
    throw error;
  }
}

async function runLoadBatch(runner: StatementRunner, input: RedshiftLoadInput, s3Prefix: string, context: RedshiftFailureContext): Promise<DescribeStatementResponse> {
  const previous = resumableProgress(runner.polling.heartbeatDetails());
  if (previous && previous.status !== 'FAILED') return waitForBatch(runner, previous.statementId);
  await ensureRollups(runner, input, context);
  const sqls = buildLoadBatch({ ...input, s3Prefix, iamRoleArn: input.warehouse.iamRoleArn });
  // A batch that failed transiently keeps failing under its own token, so the retry salts the token with its id.
  const clientToken = batchClientToken({ runId: input.runId, table: input.table, sqls, failedStatementId: previous?.statementId });
  const statementName = `etl:${input.pipeline}:${input.table}`;
  return waitForBatch(runner, await submitBatch(runner, { sqls, statementName, clientToken }));
}

/** Redshift activities over the Data API; the worker passes one RedshiftDataClient. */
export function createRedshiftTarget(deps: RedshiftDeps): TargetConnector<{ warehouse: RedshiftWarehouse }> {
  const polling: RedshiftPolling = { ...defaultPolling, ...deps.redshiftPolling };
  const runnerFor = (warehouse: RedshiftWarehouse): StatementRunner => ({ client: deps.redshiftData, warehouse, polling });
  return {
    /** Loads one table's processed Parquet into Redshift in one transaction that commits only if it reconciles. */
    async load(input: RedshiftLoadInput): Promise<LoadTableResult> {
      const startedAt = performance.now();
      const runner = runnerFor(input.warehouse);
      const s3Prefix = s3PrefixOf(input.files);
      const context: RedshiftFailureContext = { table: input.target, s3Prefix };
      try {
        const described = await runLoadBatch(runner, input, s3Prefix, context);
        if (described.Status !== 'FINISHED') throw await failureOf(runner, described, input, context);
      } catch (error) {
        if (error instanceof CancelledFailure) throw error;
        throw classifyRedshiftApiError(error, context);
      }
      // Both guards ran inside the committed transaction, so the warehouse holds exactly the expected rows.
      return { rows: input.expected.rows, keyChecksum: input.expected.keyChecksum, seconds: (performance.now() - startedAt) / 1000 };
    },

    /** The columns of the existing target with their types; undefined when it does not exist. */
    async readColumns(input: { table: string; target: string; warehouse: RedshiftWarehouse }): Promise<TargetColumn[] | undefined> {
      const sql = selectTargetColumns({ qualifiedName: input.target });
      try {
        const outcome = await queryRows(runnerFor(input.warehouse), sql);
        if (!outcome.ok) throw unfinishedError(outcome.described, { table: input.table, sql });
        const columns = outcome.rows.map(([name, type]) => ({ name: String(name), type: String(type) }));
        return columns.length > 0 ? columns : undefined;
      } catch (error) {
        throw classifyRedshiftApiError(error, { table: input.table, sql });
      }
    },

    /** Forgets tables' watermarks and source marks (optionally empties their targets) in one batch, audited in etl_state.resets. */
    async reset(input: ResetTablesInput & { warehouse: RedshiftWarehouse }): Promise<ResetTablesResult> {
      const runner = runnerFor(input.warehouse);
      const context: RedshiftFailureContext = { table: input.tables.map((table) => table.name).join(', ') };
      try {
        const present = async (target: string) => (input.truncate && (await tableExists(runner, target, context)) ? [target] : []);
        const tables = await Promise.all(input.tables.map(async (table) => ({ name: table.name, targets: (await Promise.all(table.targets.map(present))).flat() })));
        const described = await waitForStatement(runner, await submitBatch(runner, { sqls: resetTables({ ...input, dialect: 'redshift', tables }) }));
        if (described.Status !== 'FINISHED') throw unfinishedError(described, context);
        return { tables: tables.map((table) => table.name), emptied: tables.flatMap((table) => table.targets) };
      } catch (error) {
        throw classifyRedshiftApiError(error, context);
      }
    },

    /** The objects a files table's committed loads read (key → ETag); none before the first load created etl_state. */
    async readFileBookmarks(input: ReadWatermarkInput & { warehouse: RedshiftWarehouse }): Promise<Map<string, string>> {
      const sql = selectFileBookmarks({ ...input, dialect: 'redshift' });
      try {
        const outcome = await queryRows(runnerFor(input.warehouse), sql);
        if (outcome.ok) return new Map(outcome.rows.flatMap(([key, etag]) => (key && etag ? [[key, etag] as const] : [])));
        if (isMissingStateTable(outcome.described)) return new Map();
        throw unfinishedError(outcome.described, { table: input.table, sql });
      } catch (error) {
        throw classifyRedshiftApiError(error, { table: input.table, sql });
      }
    },

    /** Reads the watermark and source mark the last committed load saved; none before the first load created etl_state. */
    async readWatermark(input: ReadWatermarkInput & { warehouse: RedshiftWarehouse }): Promise<SavedState> {
      const runner = runnerFor(input.warehouse);
      const readFirstRow = async (sql: string): Promise<(string | null)[] | undefined> => {
        try {
          const outcome = await queryRows(runner, sql);
          if (outcome.ok) return outcome.rows[0];
          if (isMissingStateTable(outcome.described)) return undefined;
          throw unfinishedError(outcome.described, { table: input.table, sql });
        } catch (error) {
          throw classifyRedshiftApiError(error, { table: input.table, sql });
        }
      };
      const watermark = (await readFirstRow(selectWatermark({ ...input, dialect: 'redshift' })))?.[0] ?? undefined;
      if (watermark === undefined) return {};
      const [id, rows] = (await readFirstRow(selectSourceMark({ ...input, dialect: 'redshift' }))) ?? [];
      return id ? { watermark, sourceMark: { id, rows: Number(rows ?? 0) } } : { watermark };
    },
  };
}
