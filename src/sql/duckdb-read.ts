import { csvReadType, hasUnrepresentableMarker, rawExpression, UNREPRESENTABLE_COLUMN, type SourceColumn } from './type-map';
import { quoteIdent, quoteLiteral } from './quote';

/**
 * Reads a CSV spool written by Postgres COPY with the catalog's types: no sniffing, NULL is an empty
 * unquoted field and "" is an empty string (allow_quoted_nulls = false), as Postgres writes them.
 */
export function readCsvSpool(input: { path: string; columns: readonly SourceColumn[] }): string {
  const marker = hasUnrepresentableMarker(input.columns) ? [`${quoteLiteral(UNREPRESENTABLE_COLUMN)}: 'VARCHAR'`] : [];
  const columns = [...input.columns.map((column) => `${quoteLiteral(column.name)}: ${quoteLiteral(csvReadType(column))}`), ...marker].join(', ');
  return `read_csv(${quoteLiteral(input.path)}, columns = {${columns}}, header = false, delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false, auto_detect = false, max_line_size = 8388608, buffer_size = 33554432)`;
}

/** The raw rows of a CSV spool with the type map's DuckDB types (and the unrepresentable-value marker, if any). */
export function selectCsvSpool(input: { path: string; columns: readonly SourceColumn[] }): string {
  const marker = hasUnrepresentableMarker(input.columns) ? [quoteIdent(UNREPRESENTABLE_COLUMN)] : [];
  const list = [...input.columns.map((column) => rawExpression(column, quoteIdent(column.name))), ...marker];
  return `SELECT ${list.join(', ')} FROM ${readCsvSpool(input)}`;
}

export function readParquetFiles(input: { paths: readonly string[] }): string {
  return `read_parquet([${input.paths.map(quoteLiteral).join(', ')}], hive_partitioning = false, union_by_name = false)`;
}

export function copyToParquetFile(input: { query: string; path: string }): string {
  return `COPY (${input.query}) TO ${quoteLiteral(input.path)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`;
}

/** Writes a directory of Parquet parts, hive-partitioned when asked, partition columns kept in the files. */
export function copyToParquetDirectory(input: { query: string; dir: string; partitionBy: readonly string[] }): string {
  // DuckDB cannot combine FILE_SIZE_BYTES with PARTITION_BY; partitions already bound the file size.
  const split = input.partitionBy.length > 0
    ? `PARTITION_BY (${input.partitionBy.map(quoteIdent).join(', ')}), WRITE_PARTITION_COLUMNS true`
    : "FILE_SIZE_BYTES '256MB'";
  return `COPY (${input.query}) TO ${quoteLiteral(input.dir)} (FORMAT parquet, COMPRESSION zstd, FILENAME_PATTERN 'part-{i}', ${split})`;
}

export function copyToCsvFile(input: { query: string; path: string }): string {
  return `COPY (${input.query}) TO ${quoteLiteral(input.path)} (FORMAT csv, HEADER false)`;
}

export function countParquetRows(input: { path: string }): string {
  return `SELECT count(*) FROM read_parquet(${quoteLiteral(input.path)})`;
}
