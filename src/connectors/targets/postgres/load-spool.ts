import { join } from 'node:path';
import type { Rollup } from '../../../config/pipeline-schema';
import { copyToCsvFile, readParquetFiles } from '../../../sql/duckdb-read';
import { quoteIdent } from '../../../sql/quote';
import { selectRollup } from '../../../sql/rollup';
import { limitsOf, withDuckdb } from '../../../transform/duckdb-session';
import type { ExtractDeps } from '../../sources/postgres/extract';
import { downloadFiles } from '../../../runtime/lake';
import type { LoadTableInput } from '../types';
import { columnChecksumSelect, readColumnChecksums, rowChecksumSelect, type RowChecksumVersion } from '../../../sql/column-checksum';
import type { ColumnSpec } from '../../../sql/warehouse-types';
import { queryRow } from '../../../transform/duckdb-session';

/** Local CSV files for a Postgres load: the processed rows, and each rollup on an initial load. */
export interface LoadSpool {
  csv: string;
  /** The downloaded processed Parquet files: the per-column checksums are computed from them on a mismatch. */
  parquet: string[];
  /** Rollups aggregated by DuckDB from the processed rows (the initial load of an empty target only). */
  rollups: { rollup: Rollup; path: string }[];
}

/**
 * Downloads the processed Parquet and writes the CSV that COPY FROM STDIN reads. For the initial load of an
 * empty target, each rollup is aggregated here too: DuckDB groups a whole table several times faster than
 * a row store rebuilding it, and the result is the same rows.
 */
export async function spoolLoadFiles(deps: ExtractDeps, input: LoadTableInput & { dir: string; initialLoad: boolean }): Promise<LoadSpool> {
  const { dir } = input;
  const paths = await downloadFiles({ s3: deps.s3, bucket: input.files.bucket, keys: input.files.keys, dir, name: 'processed' });
  const csv = join(dir, 'stage.csv');
  // Postgres reads bytea in CSV as hex after \x; DuckDB would print a BLOB with per-byte escapes.
  const columns = input.columns.map((column) => (column.type === 'BLOB' ? `'\\x' || lower(hex(${quoteIdent(column.name)})) AS ${quoteIdent(column.name)}` : quoteIdent(column.name))).join(', ');
  // Merged in key order, the target's primary-key index grows at its right edge instead of splitting pages at
  // random; an initial load builds the key afterwards by sorting, so its rows need no order.
  const order = input.initialLoad ? '' : ` ORDER BY ${input.keys.map(quoteIdent).join(', ')}`;
  const processed = paths.length > 0 ? readParquetFiles({ paths }) : undefined;
  const query = processed ? `SELECT ${columns} FROM ${processed}${order}` : `SELECT * FROM (SELECT 1) WHERE false`;
  return withDuckdb({ duckdb: deps.duckdb, spool: dir, ...limitsOf(input), context: { table: input.table, step: 'load' } }, async (connection) => {
    await connection.run(copyToCsvFile({ query, path: csv }));
    const rollups: LoadSpool['rollups'] = [];
    if (!processed || !input.initialLoad) return { csv, parquet: paths, rollups };
    for (const [index, rollup] of input.rollups.entries()) {
      const path = join(dir, `rollup-${index}.csv`);
      await connection.run(copyToCsvFile({ query: selectRollup({ rollup, from: processed }), path }));
      rollups.push({ rollup, path });
    }
    return { csv, parquet: paths, rollups };
  });
}

/**
 * Checksums of the processed Parquet (DuckDB) over some columns: per column, to name the columns a failed row
 * checksum saw differ; or per row (in the form `perRow` names), when the load writes fewer columns than the transform produced.
 */
export async function checksumSpooled(deps: ExtractDeps, input: LoadTableInput & { dir: string; parquet: string[]; verified: ColumnSpec[]; perRow?: RowChecksumVersion }): Promise<Record<string, string>> {
  const spec = { dialect: 'duckdb' as const, keys: input.keys, columns: input.verified };
  const select = input.perRow ? rowChecksumSelect({ ...spec, version: input.perRow }) : columnChecksumSelect(spec);
  const from = input.parquet.length > 0 ? readParquetFiles({ paths: input.parquet }) : '(SELECT 1) WHERE false';
  const row = await withDuckdb({ duckdb: deps.duckdb, spool: input.dir, ...limitsOf(input), context: { table: input.table, step: 'load' } }, (connection) => queryRow(connection, `SELECT ${select} FROM ${from}`));
  return input.perRow ? { row_checksum: String(row[0]) } : readColumnChecksums(input.verified, row);
}
