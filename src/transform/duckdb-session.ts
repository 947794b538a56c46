import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { classifyDuckdbError } from '../runtime/errors';

export interface DuckdbLimits {
  threads: number;
  memoryLimit: string;
}

/**
 * Runs `use` on a fresh DuckDB connection with the pipeline's limits and UTC time zone (so timestamptz
 * values print as +00, which Postgres and Redshift read back unchanged); errors are classified here.
 */
export async function withDuckdb<T>(
  input: { duckdb: DuckDBInstance; limits?: DuckdbLimits; context: Record<string, unknown> },
  use: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const connection = await input.duckdb.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    // Nothing here relies on row order (keys are found with ORDER BY), and keeping it costs memory on big COPYs.
    await connection.run('SET preserve_insertion_order = false');
    if (input.limits) {
      await connection.run(`SET threads = ${Math.trunc(input.limits.threads)}`);
      await connection.run(`SET memory_limit = '${input.limits.memoryLimit.replace(/[^\w. ]/g, '')}'`);
    }
    return await use(connection);
  } catch (error) {
    if (error instanceof Error && error.name === 'ApplicationFailure') throw error;
    throw classifyDuckdbError(error, input.context);
  } finally {
    connection.closeSync();
  }
}

/** The first row of a query, as an array of values. */
export async function queryRow(connection: DuckDBConnection, sql: string): Promise<unknown[]> {
  const result = await connection.runAndReadAll(sql);
  return result.getRows()[0] ?? [];
}
