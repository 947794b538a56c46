import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { formatMebibytes, parseMemorySize } from '../common/memory-size';
import { classifyDuckdbError } from '../runtime/errors';
import { currentContext, keepAlive } from '../runtime/heartbeat';
import { sealSessionStatements } from '../sql/duckdb-seal';
import { withMemoryGrant, workerDuckdbBudget } from './memory-budget';
import { traceSession } from './memory-trace';

export interface DuckdbLimits {
  threads: number;
  /** The DuckDB memory of the whole worker process (see sessionMemory). */
  memoryLimit: string;
  /** How many sessions share it at once; absent in inputs recorded before it existed (then 2). */
  sessions?: number;
}

/** What one session may hold: the worker's DuckDB budget split into `sessions` equal shares. */
export function sessionMemory(limits: DuckdbLimits): { budgetBytes: number; bytes: number } {
  const budgetBytes = parseMemorySize(limits.memoryLimit);
  return { budgetBytes, bytes: Math.floor(budgetBytes / Math.max(1, limits.sessions ?? 2)) };
}

/** Waits for a session's share of the worker's DuckDB budget, heartbeating, and gives up if the activity is cancelled. */
async function waitForShare<T>(limits: DuckdbLimits, use: (memoryLimit: string) => Promise<T>): Promise<T> {
  const share = sessionMemory(limits);
  const signal = currentContext()?.cancellationSignal;
  const request = { ...share, ...(signal ? { signal } : {}) };
  return withMemoryGrant(workerDuckdbBudget, request, (grant) => use(formatMebibytes(grant.bytes)), keepAlive);
}

/**
 * Runs `use` on a sealed DuckDB session: a fresh in-memory database (about 10 ms to open) with the
 * pipeline's limits and UTC time zone (so timestamptz values print as +00, which Postgres and Redshift read
 * back unchanged), no extension install or autoload, and no file access outside `spool` (the activity's own
 * folder; null: none at all). The configuration is locked before `use` runs, so user SQL cannot undo it.
 * DuckDB's file-access settings are per database, not per connection, hence a database per session rather
 * than one shared by the worker's activities. The session's `memory_limit` is its share of the worker's DuckDB
 * budget (sessionMemory); when the budget is taken, it waits (heartbeating) for a session to close. Errors are
 * classified here.
 */
export async function withDuckdb<T>(
  input: { duckdb: DuckdbLimits; spool: string | null; limits?: DuckdbLimits; context: Record<string, unknown> },
  use: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const limits = input.limits ?? input.duckdb;
  return waitForShare(limits, (memoryLimit) => runSealed({ ...input, limits: { ...limits, memoryLimit } }, use));
}

async function runSealed<T>(input: { spool: string | null; limits: DuckdbLimits; context: Record<string, unknown> }, use: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const { limits } = input;
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  try {
    instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    connection = await instance.connect();
    const tempDir = input.spool === null ? null : join(input.spool, 'duckdb-tmp');
    for (const statement of sealSessionStatements({ threads: limits.threads, memoryLimit: limits.memoryLimit, spool: input.spool, tempDir })) {
      await connection.run(statement);
    }
    const untrace = await traceSession({ label: [input.context.step, input.context.table].filter((part) => typeof part === 'string').join(':'), memoryLimit: limits.memoryLimit, instance });
    try {
      return await use(connection);
    } finally {
      untrace();
    }
  } catch (error) {
    if (error instanceof Error && error.name === 'ApplicationFailure') throw error;
    throw classifyDuckdbError(error, input.context);
  } finally {
    connection?.closeSync();
    instance?.closeSync();
  }
}

/** `{ limits }` when an input carries the pipeline's DuckDB limits, to spread into withDuckdb's input (else the worker's apply). */
export function limitsOf(input: { limits?: DuckdbLimits | undefined }): { limits?: DuckdbLimits } {
  return input.limits ? { limits: input.limits } : {};
}

/** The first row of a query, as an array of values. */
export async function queryRow(connection: DuckDBConnection, sql: string): Promise<unknown[]> {
  const result = await connection.runAndReadAll(sql);
  return result.getRows()[0] ?? [];
}
