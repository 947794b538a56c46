import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { rawPrefix } from '../../../common/lake-layout';
import { classifyPostgresError } from '../../../runtime/errors';
import { keepAlive } from '../../../runtime/heartbeat';
import { uploadFile } from '../../../runtime/lake';
import { withSpool } from '../../../runtime/spool';
import { copyToParquetFile, countParquetRows, selectCsvSpool } from '../../../sql/duckdb-read';
import { quoteIdent, quoteQualified } from '../../../sql/quote';
import { limitsOf, queryRow, withDuckdb } from '../../../transform/duckdb-session';
import { copyToFile } from '../../pg/copy';
import type { ExtractSourceKeysInput } from '../types';
import type { ExtractDeps } from './extract';

/**
 * Every key (the table's primaryKey columns, typed as the extract reads them) the source holds now, as one
 * Parquet file in the run's raw prefix: what a load with `deletes: propagate | soft` compares the target with.
 */
export async function extractSourceKeys(deps: ExtractDeps, input: ExtractSourceKeysInput): Promise<{ bucket: string; key: string; rows: number }> {
  const { plan } = input;
  // The target's key, which need not be the source's primary key (a surrogate id there, a business key here).
  const columns = input.keys.map((name) => {
    const column = plan.columns.find((candidate) => candidate.name === name);
    if (!column) throw ApplicationFailure.create({ message: `table ${plan.table}: deletes compares keys, but primaryKey column ${name} is not a column of ${plan.source}; key the table on source columns or set deletes: ignore`, type: 'DeletesKeyMissing', nonRetryable: true });
    return column;
  });
  const present = columns.map((column) => `${quoteIdent(column.name)} IS NOT NULL`).join(' AND ');
  const key = `${rawPrefix(input.location)}source-keys.parquet`;
  return keepAlive(() =>
    withSpool({ spoolDir: deps.spoolDir, name: `source-keys-${plan.table}` }, async (dir) => {
      const csv = join(dir, 'source-keys.csv');
      const parquet = join(dir, 'source-keys.parquet');
      const client = await deps.pools[plan.database].connect();
      try {
        const sql = `COPY (SELECT DISTINCT ${columns.map((column) => quoteIdent(column.name)).join(', ')} FROM ${quoteQualified(plan.source)} WHERE ${present}) TO STDOUT WITH (FORMAT csv)`;
        await copyToFile({ client, sql, path: csv });
      } catch (error) {
        throw classifyPostgresError(error, { table: plan.table, source: plan.source });
      } finally {
        client.release();
      }
      const rows = await withDuckdb({ duckdb: deps.duckdb, spool: dir, ...limitsOf(input), context: { table: plan.table, step: 'source keys' } }, async (connection) => {
        await connection.run(copyToParquetFile({ query: selectCsvSpool({ path: csv, columns }), path: parquet }));
        return Number((await queryRow(connection, countParquetRows({ path: parquet })))[0]);
      });
      await uploadFile({ s3: deps.s3, lake: input.lake, key, path: parquet });
      return { bucket: input.lake.bucket, key, rows };
    }),
  );
}
