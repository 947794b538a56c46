import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { copyQueryToParquet, selectSampleRows, summariseParquet } from '../sql/duckdb';
import { queryRow, withDuckdb, type DuckdbLimits } from '../transform/duckdb-session';
import { withSpool } from '../runtime/spool';

export interface DuckdbDeps {
  /** Default DuckDB limits; each session opens its own sealed database with them (or the pipeline's). */
  duckdb: DuckdbLimits;
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
      return withSpool({ spoolDir: deps.spoolDir, name: `preflight-${input.name}` }, (dir) => {
        const path = join(dir, 'round-trip.parquet');
        return withDuckdb({ duckdb: deps.duckdb, spool: dir, context: { path } }, async (connection) => {
          await connection.run(copyQueryToParquet({ query: selectSampleRows({ rows: input.rows }), path }));
          const [rowCount, idSum] = (await queryRow(connection, summariseParquet({ path }))) as bigint[];
          const expectedSum = (BigInt(input.rows) * BigInt(input.rows - 1)) / 2n;
          if (rowCount !== BigInt(input.rows) || idSum !== expectedSum) {
            throw ApplicationFailure.nonRetryable(`Parquet read back ${rowCount} rows (sum ${idSum}), expected ${input.rows}`, 'ParquetReadBackMismatch');
          }
          const [version] = await queryRow(connection, 'SELECT version()');
          return { duckdbVersion: String(version), rows: input.rows, bytes: (await stat(path)).size };
        });
      });
    },
  };
}
