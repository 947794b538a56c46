import type { LoadMode, Rollup } from '../../config/pipeline-schema';
import type { ColumnSpec } from '../../sql/warehouse-types';
import type { DuckdbLimits } from '../../transform/duckdb-session';
import type { SchemaChange, TargetColumn } from './schema-change';
import type { DeletesPolicy } from './deletes';
import type { SourceMark } from './load-plan';

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
  /** The source's identity and size when planned, saved with the watermark. */
  sourceMark?: SourceMark;
  /** What happens to target rows whose key the source no longer has, with the source's key set in the lake. */
  deletes?: DeletesPolicy;
  sourceKeys?: { bucket: string; key: string };
  /** `etl reprocess`: the keys (Parquet in the lake) of rows its changed rules now reject; they leave the target. */
  withdrawnKeys?: { bucket: string; key: string };
  /** kind: files — the objects this load read, bookmarked in its transaction (exactly once). */
  fileBookmarks?: FileBookmark[];
  /** The processed Parquet objects: `prefix` holds exactly `keys` (s3://bucket/prefix). */
  files: { bucket: string; prefix: string; keys: string[] };
  /** Decided in the plan step when the existing target's columns differ from the transform's (onSchemaChange). */
  schemaChange?: SchemaChange;
  /** From the transform: the load fails, and commits nothing, unless the warehouse matches these. */
  expected: ExpectedLoad;
  /** The pipeline's DuckDB limits for the load's sessions (absent in inputs recorded before: the worker's). */
  limits?: DuckdbLimits;
}

/** An object a files table loaded: its key and ETag (a new ETag is a rewrite), and its rows. */
export interface FileBookmark {
  key: string;
  etag: string;
  rows: number;
}

/** What the warehouse must hold after the apply step: rows, key checksum, and a checksum per loaded column. */
export interface ExpectedLoad {
  rows: number;
  keyChecksum: string;
  /** Column name → checksum of the processed Parquet (src/sql/column-checksum.ts); the Redshift batch's guards need them. */
  columnChecksums?: Record<string, string>;
  /** The same content hashed once per row (src/sql/column-checksum.ts); checked first by a Postgres load. Absent
   * only for a transform that ran before this check existed (a run in flight across a deploy). */
  rowChecksum?: string;
}

export interface LoadTableResult {
  rows: number;
  keyChecksum: string;
  /** Rows deleted (propagate) or marked (soft) because the source no longer has them; Postgres counts them. */
  deletedRows?: number;
  /** Rows removed because a reprocess's rules now reject them (withdrawnKeys); Postgres counts them. */
  withdrawnRows?: number;
  seconds: number;
  /** Of `seconds`, the content check's (the row and per-column checksums read back from the warehouse). */
  verifySeconds?: number;
}

/** What the last committed load of a table saved: the watermark its next window starts after, and the source mark. */
export interface SavedState {
  watermark?: string;
  sourceMark?: SourceMark;
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
  readWatermark(input: ReadWatermarkInput & W): Promise<SavedState>;
  load(input: LoadTableInput & W): Promise<LoadTableResult>;
  /** The columns of the existing target table with their warehouse types; undefined when it does not exist yet. */
  readColumns(input: { table: string; target: string } & W): Promise<TargetColumn[] | undefined>;
  reset(input: ResetTablesInput & W): Promise<ResetTablesResult>;
  /** The objects a files table's committed loads read (key → ETag); empty before the first. */
  readFileBookmarks(input: ReadWatermarkInput & W): Promise<Map<string, string>>;
}

/** `etl reset` of some tables: forget their state, optionally empty their targets (and rollups), audited. */
export interface ResetTablesInput {
  pipeline: string;
  tables: { name: string; targets: string[] }[];
  /** Also delete every row of the tables' targets and rollups. */
  truncate: boolean;
  /** Who asked (user@host) and why, written to etl_state.resets. */
  requestedBy: string;
  reason: string;
  /** The reset's workflow id. */
  runId: string;
}

export interface ResetTablesResult {
  tables: string[];
  /** Targets whose rows were deleted (those that existed). */
  emptied: string[];
}
