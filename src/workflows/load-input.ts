import type { TransformResult } from '../activities';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';

/** What every load of a table takes from the table and its transform, whether a nightly run or a reprocess. */
export function loadInputOf(input: { pipeline: Pipeline; table: TableSpec; transformed: TransformResult; runId: string }) {
  const { pipeline, table, transformed } = input;
  return {
    pipeline: pipeline.name,
    table: table.name,
    target: table.target,
    mode: table.mode,
    keys: table.primaryKey,
    columns: transformed.columns,
    rollups: table.rollups,
    runId: input.runId,
    // The load's DuckDB sessions (spooling the processed Parquet) take their share of the pipeline's budget.
    limits: pipeline.duckdb,
    files: transformed.processed,
    expected: { rows: transformed.acceptedRows, keyChecksum: transformed.keyChecksum, columnChecksums: transformed.columnChecksums, rowChecksum: transformed.rowChecksum },
  };
}
