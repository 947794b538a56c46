import { quoteLiteral } from './quote';

/** COPY (query) TO a Parquet file; zstd is DuckDB's best size/speed trade-off and Redshift reads it. */
export function copyQueryToParquet(input: { query: string; path: string }): string {
  return `COPY (${input.query}) TO ${quoteLiteral(input.path)} (FORMAT parquet, COMPRESSION zstd)`;
}

/** A synthetic table of `rows` rows with the column kinds ETL moves: integers, text, decimals, timestamps. */
export function selectSampleRows(input: { rows: number }): string {
  const rows = Math.max(0, Math.trunc(input.rows));
  return `SELECT i AS id, 'row ' || i AS label, (i * 1.25)::DECIMAL(18, 2) AS amount, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS at FROM range(${rows}) t(i)`;
}

/** Row count and key sum of a Parquet file: enough to prove what was written reads back intact. */
export function summariseParquet(input: { path: string }): string {
  return `SELECT count(*)::BIGINT AS row_count, coalesce(sum(id), 0)::BIGINT AS id_sum FROM read_parquet(${quoteLiteral(input.path)})`;
}
