import { stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { ApplicationFailure } from '@temporalio/activity';
import { copyQueryToParquet, selectSampleRows, summariseParquet } from '../sql/duckdb';
import { classifyDuckdbError } from './errors';

export interface DuckdbDeps {
  duckdb: DuckDBInstance;
  /** Local scratch directory for spool and Parquet files. */
  spoolDir: string;
}

export interface ParquetRoundTrip {
  duckdbVersion: string;
  rows: number;
  bytes: number;
}

export function createDuckdbActivities(deps: DuckdbDeps) {
  return {
    /** Writes `rows` synthetic rows to a Parquet file with DuckDB and reads them back. */
    async roundTripParquet(input: { name: string; rows: number }): Promise<ParquetRoundTrip> {
      const path = join(deps.spoolDir, `${input.name.replace(/[^\w.-]/g, '_')}.parquet`);
      const connection = await deps.duckdb.connect();
      try {
        await connection.run(copyQueryToParquet({ query: selectSampleRows({ rows: input.rows }), path }));
        const summary = await connection.runAndReadAll(summariseParquet({ path }));
        const [rowCount, idSum] = (summary.getRows()[0] ?? []) as bigint[];
        const expectedSum = (BigInt(input.rows) * BigInt(input.rows - 1)) / 2n;
        if (rowCount !== BigInt(input.rows) || idSum !== expectedSum) {
          throw ApplicationFailure.nonRetryable(`Parquet read back ${rowCount} rows (sum ${idSum}), expected ${input.rows}`, 'ParquetReadBackMismatch');
        }
        const version = await connection.runAndReadAll('SELECT version()');
        const { size } = await stat(path);
        return { duckdbVersion: String(version.getRows()[0]?.[0]), rows: input.rows, bytes: size };
      } catch (error) {
        if (error instanceof ApplicationFailure) throw error;
        throw classifyDuckdbError(error, { path });
      } finally {
        connection.closeSync();
        await unlink(path).catch(() => undefined);
      }
    },
  };
}
