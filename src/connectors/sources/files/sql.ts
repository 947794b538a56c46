import type { FileFormat } from '../../../config/files-schema';
import { quoteIdent, quoteLiteral } from '../../../sql/quote';
import { hasUnrepresentableMarker, UNREPRESENTABLE_COLUMN, unrepresentablePredicate, type SourceColumn } from '../../../sql/type-map';

/** DuckDB's reject tables for one read (store_rejects): where each malformed CSV row was and why. */
export const REJECT_SCANS = 'etl_reject_scans';
export const REJECT_ERRORS = 'etl_reject_errors';

export interface FileRead {
  path: string;
  format: FileFormat;
  compression: 'gzip' | 'zstd' | 'none';
  columns: readonly SourceColumn[];
  header: boolean;
  delimiter: string;
}

const columnTypes = (columns: readonly SourceColumn[]) => `{${columns.map((column) => `${quoteLiteral(column.name)}: ${quoteLiteral(column.duckdbType)}`).join(', ')}}`;

/** The names a CSV file's header gives, every column read as text (DESCRIBE of this). */
export function describeCsvHeader(input: Pick<FileRead, 'path' | 'compression' | 'delimiter'>): string {
  return `DESCRIBE SELECT * FROM read_csv(${quoteLiteral(input.path)}, header = true, all_varchar = true, delim = ${quoteLiteral(input.delimiter)}, compression = ${quoteLiteral(input.compression)})`;
}

/** The column names a Parquet file holds (DESCRIBE of this). */
export function describeParquet(input: Pick<FileRead, 'path'>): string {
  return `DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(input.path)})`;
}

/**
 * The rows of one file with the declared types, columns in the order the file has them. CSV: no sniffing;
 * a row that does not read (a value that does not convert, too few or too many fields) goes to the reject
 * tables with its line instead of failing the file. NDJSON and Parquet have no reject tables: a bad value
 * fails the read, and the file is quarantined.
 */
export function readFile(input: FileRead): string {
  const path = quoteLiteral(input.path);
  const compression = quoteLiteral(input.compression);
  if (input.format === 'csv') {
    const rejects = `store_rejects = true, rejects_scan = ${quoteLiteral(REJECT_SCANS)}, rejects_table = ${quoteLiteral(REJECT_ERRORS)}`;
    return `read_csv(${path}, columns = ${columnTypes(input.columns)}, header = ${input.header}, delim = ${quoteLiteral(input.delimiter)}, quote = '"', escape = '"', auto_detect = false, compression = ${compression}, max_line_size = 8388608, ${rejects})`;
  }
  // read_json spells no compression 'uncompressed' where read_csv says 'none'.
  const jsonCompression = quoteLiteral(input.compression === 'none' ? 'uncompressed' : input.compression);
  if (input.format === 'ndjson') return `read_json(${path}, columns = ${columnTypes(input.columns)}, format = 'newline_delimited', compression = ${jsonCompression})`;
  return `read_parquet(${path})`;
}

/**
 * The raw part of one file: the declared columns in declared order (Parquet values cast to the declared type)
 * and, as the Postgres extract does, the marker naming a column whose value no engine downstream holds.
 */
export function selectRawRows(input: { from: string; columns: readonly SourceColumn[]; cast: boolean; marker: boolean }): string {
  const list = input.columns.map((column) => (input.cast ? `CAST(${quoteIdent(column.name)} AS ${column.duckdbType}) AS ${quoteIdent(column.name)}` : quoteIdent(column.name)));
  if (input.marker && hasUnrepresentableMarker(input.columns)) {
    const cases = input.columns.flatMap((column) => {
      const predicate = column.category === 'decimal' ? undefined : unrepresentablePredicate(column, quoteIdent(column.name));
      return predicate ? [`WHEN ${predicate} THEN ${quoteLiteral(column.name)}`] : [];
    });
    list.push(cases.length > 0 ? `CASE ${cases.join(' ')} END AS ${quoteIdent(UNREPRESENTABLE_COLUMN)}` : `CAST(NULL AS VARCHAR) AS ${quoteIdent(UNREPRESENTABLE_COLUMN)}`);
  }
  return `SELECT ${list.join(', ')} FROM ${input.from}`;
}

/** The malformed rows of the reads so far: the file, its line, the column and DuckDB's reason, and the line's text. */
export function selectMalformedRows(input: { key: string }): string {
  return `SELECT ${quoteLiteral(input.key)} AS file, e.line AS line, e.column_name AS reject_column, lower(replace(e.error_type, ' ', '_')) AS reject_reason, e.error_message AS message, e.csv_line AS csv_line FROM ${REJECT_ERRORS} e ORDER BY e.line, e.column_idx`;
}
