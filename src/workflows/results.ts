import type { ExtractWindow } from '../connectors/sources/postgres/sql';
import type { FilesExtractSummary, HttpExtractSummary, NullWatermarkCount } from '../connectors/sources/types';
import type { StepResult } from '../steps/types';
import type { SourceColumn } from '../sql/pg-types';
import type { RunInterval } from './run-date';

/** What one table's run did: counts at every stage, the window, timings and where the files are. */
export interface TableRunResult {
  table: string;
  target: string;
  mode: string;
  window?: ExtractWindow;
  /** Rows in the window when planned; those with a NULL watermark included (see nullWatermark). */
  sourceRows: number;
  /** Rows of the window whose watermark is NULL: included (merged by key) or rejected as null_watermark. */
  nullWatermark?: NullWatermarkCount;
  extractedRows: number;
  rejectedRows: number;
  rejectedByRule: Record<string, number>;
  loadedRows: number;
  /** Rows deleted (deletes: propagate) or marked (soft) because the source no longer has them. */
  deletedRows?: number;
  /**
   * `etl reprocess`: rows of the raw run that the changed rules now reject, removed from the target by key: how
   * many keys were withdrawn (a later raw run's keys are kept), the target rows removed (Postgres counts them;
   * a Redshift batch gives no count) and the keys file.
   */
  withdrawn?: { keys: number; rows?: number; uri?: string };
  /** Share of extracted rows that passed every rule (1 when nothing was extracted). */
  qualityScore: number;
  keyChecksum: string;
  /** The content checksum of every loaded value (one hash per row) the load verified in the warehouse before it committed. */
  rowChecksum: string;
  /** Per loaded column, the checksums the Redshift batch verified (computed for Redshift loads only). */
  columnChecksums?: Record<string, string>;
  bytes: { raw: number; processed: number };
  /** `verify`: the content checks' share of transform (DuckDB over the Parquet) and of load (the warehouse rows). */
  seconds: { extract: number; transform: number; load: number; total: number; verify?: { transform: number; load: number } };
  uris: { raw: string; processed: string; rejected?: string };
  /** kind: files — objects read, quarantined (and where to), skipped, malformed rows and where they are. */
  files?: Omit<FilesExtractSummary, 'bookmarks'> & { bookmarked: number };
  /** kind: http — pages and records read, and the watermark the load saved. */
  http?: HttpExtractSummary;
  /** What the load changed about the target's columns, or stopped loading (onSchemaChange), one sentence each. */
  schemaChanges?: string[];
  /** The raw Parquet parts of this run (S3 keys in the lake bucket) and their column types: what `etl reprocess` reads. */
  raw?: { keys: string[]; columns: SourceColumn[] };
}

/** A raw run a reprocess read instead of the source: the succeeded run of that date, and its raw folders per table. */
export interface ReprocessedFrom {
  runDate: string;
  runId: string;
  uris: Record<string, string>;
}

/** What the replication step did before the extract (only when the pipeline has a replication section). */
export interface ReplicationSummary {
  replicator: string;
  mode: string;
  action?: string;
  inSync: boolean;
  tables: number;
  rows: number;
  lag: { bytes?: number; seconds?: number };
}

/** The run manifest: written as _manifest.json in the lake and returned by nightlyEtlWorkflow. */
export interface RunManifest {
  pipeline: string;
  runId: string;
  runDate: string;
  /** The data interval the run covered: [start, end); no start for an ad-hoc run (each table went on from its last). */
  interval: RunInterval;
  status: 'succeeded';
  startedAt: string;
  finishedAt: string;
  seconds: number;
  tables: TableRunResult[];
  totals: { extractedRows: number; rejectedRows: number; loadedRows: number };
  manifestUri?: string;
  /** Present when the run first brought the replica up to date and extracted from it. */
  replication?: ReplicationSummary;
  /** The database steps the run ran (pipeline `steps:`), in the file's order: rows affected (null if not reported) and seconds. */
  steps?: StepResult[];
  /** Set on a reprocess: the raw runs it transformed and loaded again, instead of reading the source. */
  reprocessedFrom?: ReprocessedFrom[];
}
