import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { classifyDuckdbError } from '../runtime/errors';
import { sealSessionStatements } from '../sql/duckdb-seal';

export interface DuckdbLimits {
  threads: number;
  memoryLimit: string;
}

/**
 * Runs `use` on a sealed DuckDB session: a fresh in-memory database (about 10 ms to open) with the
 * pipeline's limits and UTC time zone (so timestamptz values print as +00, which Postgres and Redshift read
 * back unchanged), no extension install or autoload, and no file access outside `spool` (the activity's own
 * folder; null: none at all). The configuration is locked before `use` runs, so user SQL cannot undo it.
 * DuckDB's file-access settings are per database, not per connection, hence a database per session rather
 * than one shared by the worker's activities. Errors are classified here.
 */
export async function withDuckdb<T>(
  input: { duckdb: DuckdbLimits; spool: string | null; limits?: DuckdbLimits; context: Record<string, unknown> },
  use: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const limits = input.limits ?? input.duckdb;
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  try {
    instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    connection = await instance.connect();
    const tempDir = input.spool === null ? null : join(input.spool, 'duckdb-tmp');
    for (const statement of sealSessionStatements({ threads: limits.threads, memoryLimit: limits.memoryLimit, spool: input.spool, tempDir })) {
      await connection.run(statement);
    }
    return await use(connection);
  } catch (error) {
    if (error instanceof Error && error.name === 'ApplicationFailure') throw error;
    throw classifyDuckdbError(error, input.context);
  } finally {
    connection?.closeSync();
    instance?.closeSync();
  }
}

/** The first row of a query, as an array of values. */
export async function queryRow(connection: DuckDBConnection, sql: string): Promise<unknown[]> {
  const result = await connection.runAndReadAll(sql);
  return result.getRows()[0] ?? [];
}
