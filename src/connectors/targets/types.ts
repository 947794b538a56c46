import type { LoadMode, Rollup } from '../../config/pipeline-schema';
import type { ColumnSpec } from '../../sql/warehouse-types';
import type { SchemaChange, TargetColumn } from './schema-change';

/** What a warehouse load needs: references to processed Parquet on S3 and what to expect, never rows. */
export interface LoadTableInput {
  pipeline: string;
  table: string;
  target: string;
  mode: LoadMode;
  keys: string[];
  /** Target column order; the processed Parquet is written in this order. */
  columns: ColumnSpec[];
  rollups: Rollup[];
  /** Workflow id of the run: derives idempotency tokens and the load ledger entry. */
  runId: string;
  /** Upper bound of the extracted window, saved as the new watermark in the load's transaction. */
  watermark?: string;
  /** The processed Parquet objects: `prefix` holds exactly `keys` (s3://bucket/prefix). */
  files: { bucket: string; prefix: string; keys: string[] };
  /** Decided in the plan step when the existing target's columns differ from the transform's (onSchemaChange). */
  schemaChange?: SchemaChange;
  /** From the transform: the load fails, and commits nothing, unless the warehouse matches these. */
  expected: { rows: number; keyChecksum: string };
}

export interface LoadTableResult {
  rows: number;
  keyChecksum: string;
  seconds: number;
}

export interface ReadWatermarkInput {
  pipeline: string;
  table: string;
}

/**
 * What every warehouse target implements: the watermark its last committed load saved, and the load itself,
 * one transaction that commits only when the warehouse matches what the transform produced. `W` is what the
 * target needs to be reached (e.g. the Redshift warehouse block); a local Postgres needs nothing.
 */
export interface TargetConnector<W extends object = object> {
  readWatermark(input: ReadWatermarkInput & W): Promise<{ watermark?: string }>;
  load(input: LoadTableInput & W): Promise<LoadTableResult>;
  /** The columns of the existing target table with their warehouse types; undefined when it does not exist yet. */
  readColumns(input: { table: string; target: string } & W): Promise<TargetColumn[] | undefined>;
}
