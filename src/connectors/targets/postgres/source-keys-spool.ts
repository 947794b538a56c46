import { join } from 'node:path';
import { downloadFiles } from '../../../runtime/lake';
import { copyToCsvFile, readParquetFiles } from '../../../sql/duckdb-read';
import { limitsOf, withDuckdb, type DuckdbLimits } from '../../../transform/duckdb-session';
import type { ExtractDeps } from '../../sources/postgres/extract';

/** A key set in the lake (the source's, or a reprocess's withdrawn keys) as a local CSV file that COPY FROM STDIN reads. */
export async function spoolSourceKeys(deps: ExtractDeps, input: { dir: string; table: string; sourceKeys: { bucket: string; key: string }; name?: string; limits?: DuckdbLimits }): Promise<string> {
  const name = input.name ?? 'source-keys';
  const [parquet] = await downloadFiles({ s3: deps.s3, bucket: input.sourceKeys.bucket, keys: [input.sourceKeys.key], dir: input.dir, name });
  const csv = join(input.dir, `${name}.csv`);
  await withDuckdb({ duckdb: deps.duckdb, spool: input.dir, ...limitsOf(input), context: { table: input.table, step: 'load' } }, (connection) =>
    connection.run(copyToCsvFile({ query: `SELECT * FROM ${readParquetFiles({ paths: [parquet ?? ''] })}`, path: csv })),
  );
  return csv;
}
