import type { DatabaseRole } from '../../activities/postgres';
import type { LakeTarget } from '../../runtime/lake';
import type { RunLocation } from '../../common/lake-layout';
import type { NullWatermarkPolicy, TableSpec } from '../../config/pipeline-schema';
import type { RunInterval } from '../../common/run-interval';
import type { SourceColumn } from '../../sql/pg-types';
import type { DuckdbLimits } from '../../transform/duckdb-session';
import type { SourceMark } from '../targets/load-plan';
import type { KeyRange } from './postgres/part-ranges';
import type { ExtractWindow } from './postgres/sql';
import type { SchemaChange } from '../targets/schema-change';
import type { FileBookmark } from '../targets/types';
import type { FilesSpec } from '../../config/files-schema';
import type { HttpSpec } from '../../config/http-schema';
import type { WarehouseSpec } from '../../config/pipeline-schema';

/** The kinds of source a table can be read from; each is a folder under src/connectors/sources/. */
export type SourceKind = 'postgres' | 'files' | 'http';

/** One object a files extract reads: its key and the ETag it had when the plan listed it. */
export interface PlannedFile {
  key: string;
  etag: string;
  size: number;
}

/** What a files table reads this run: the spec (bucket resolved), the objects, and where bad files go. */
export interface FilesPlan {
  spec: FilesSpec & { bucket: string };
  files: PlannedFile[];
  /** Rewritten objects (a new ETag) that onRewrite: skip left alone. */
  skipped: string[];
  quarantinePrefix: string;
}

/** What an http table reads this run: the API spec and the watermark its incremental parameter is bound to. */
export interface HttpPlan {
  spec: HttpSpec;
  /** The saved watermark, sent as the incremental parameter (absent: the first run reads everything). */
  since?: string;
}

/** What an http extract did: pages and records read, and the greatest watermark value seen (the load saves it). */
export interface HttpExtractSummary {
  pages: number;
  records: number;
  watermark?: string;
}

/** What a files extract did: objects read and quarantined, malformed rows, and the bookmarks the load saves. */
export interface FilesExtractSummary {
  read: number;
  quarantined: number;
  skipped: number;
  rows: number;
  malformedRows: number;
  /** Every object read (rows or not), saved by the load in its transaction so no later run reads it again. */
  bookmarks: FileBookmark[];
  /** Quarantined objects: where each went, and the reason file beside it. */
  quarantine: { key: string; movedTo: string }[];
  /** The Parquet files under rejected/ holding the malformed rows (file, line, reason). */
  malformedKeys: string[];
}

/** What the extract reads, decided (and validated) before any data moves. */
/** How many rows of a window have a NULL watermark: `include`d (merged by key) or `reject`ed as null_watermark. */
export interface NullWatermarkCount {
  policy: NullWatermarkPolicy;
  rows: number;
}

export interface ExtractPlan {
  /** The pipeline's name, for errors. */
  pipeline?: string;
  /** Absent: postgres (plans recorded before files sources existed have none). */
  kind?: SourceKind;
  /** kind: files — the objects this run reads. */
  files?: FilesPlan;
  /** kind: http — the API and the watermark this run reads from. */
  http?: HttpPlan;
  table: string;
  source: string;
  database: DatabaseRole;
  columns: SourceColumn[];
  /** The source primary key: parts are cut along it so a crashed extract resumes where it stopped. */
  chunkKey: string[];
  window?: ExtractWindow;
  /** Rows in the source window when planned, rows with a NULL watermark included. */
  sourceRows: number;
  /** Rows of the window whose watermark is NULL, and what the table's policy does with them. */
  nullWatermark?: NullWatermarkCount;
  /** The span of a single integer key: parts are equal key ranges over it. */
  keyRange?: KeyRange;
  /** What the load does about an existing target whose columns differ, decided with the plan (onSchemaChange). */
  schemaChange?: SchemaChange;
  /** The source's identity and size when planned; the load saves it so the next plan can compare. */
  sourceMark?: SourceMark;
  /** What the load saves as the watermark when it is not the window's end (an interval table's latest end). */
  nextWatermark?: string;
}

export interface ExtractedPart {
  key: string;
  rows: number;
  bytes: number;
}

export interface ExtractResult {
  bucket: string;
  prefix: string;
  parts: ExtractedPart[];
  rows: number;
  bytes: number;
  seconds: number;
  /** kind: files — objects read, quarantined, malformed rows and the bookmarks to save. */
  files?: FilesExtractSummary;
  /** kind: http — pages and records read, and the watermark the load saves. */
  http?: HttpExtractSummary;
}

export interface PlanExtractInput {
  /** The pipeline's name, for errors. */
  pipeline?: string;
  table: TableSpec;
  database: DatabaseRole;
  /** The watermark the last committed load saved. */
  since?: string;
  /** The source mark the last committed load saved. */
  previous?: SourceMark;
  /** The run's data interval: a `window: interval` table reads the rows whose event time falls in it. */
  interval?: RunInterval;
  /** The warehouse holding the file bookmarks (a files table's plan reads them). */
  warehouse?: WarehouseSpec;
  /** The lake's bucket and prefix: a files table's default bucket and quarantine prefix. */
  lake?: { bucket: string; prefix: string };
}

export interface ExtractTableInput {
  plan: ExtractPlan;
  location: RunLocation;
  lake: LakeTarget;
  partRows: number;
  /** How many parts are copied out of the source at once (absent in inputs recorded before: one). */
  copies?: number;
  limits?: DuckdbLimits;
}

export interface ExtractKeysInput {
  table: TableSpec;
  database: DatabaseRole;
  location: RunLocation;
  lake: LakeTarget;
  /** For a lookup: these columns too, with their own types, next to the key set. */
  columns?: string[];
  /** The pipeline's DuckDB limits (absent in inputs recorded before: the worker's). */
  limits?: DuckdbLimits;
}

export interface ExtractSourceKeysInput {
  plan: ExtractPlan;
  /** The table's primaryKey: the key the target is merged on. */
  keys: string[];
  location: RunLocation;
  lake: LakeTarget;
  /** The pipeline's DuckDB limits (absent in inputs recorded before: the worker's). */
  limits?: DuckdbLimits;
}

/**
 * What every source implements: check the table and fix its window before any data moves, copy the window
 * to raw Parquet parts in the lake (resumable, heartbeating), and write a table's key set for reference checks.
 */
export interface SourceConnector {
  planExtract(input: PlanExtractInput): Promise<ExtractPlan>;
  extractTable(input: ExtractTableInput): Promise<ExtractResult>;
  extractKeys(input: ExtractKeysInput): Promise<{ key: string; rows: number }>;
  /** Every key the source holds now, for loads that propagate deletes. */
  extractSourceKeys(input: ExtractSourceKeysInput): Promise<{ bucket: string; key: string; rows: number }>;
}
