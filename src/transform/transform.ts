import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ApplicationFailure } from '@temporalio/activity';
import type { TableSpec } from '../config/pipeline-schema';
import type { TransformStep } from '../config/transform-schema';
import { keyChecksumSelect } from '../sql/checksum';
import { columnChecksumSelect, labelRowChecksum, readColumnChecksums, ROW_CHECKSUM_VERSION, rowChecksumSelect } from '../sql/column-checksum';
import { copyToParquetDirectory, copyToParquetFile, readParquetFiles } from '../sql/duckdb-read';
import type { SourceColumn } from '../sql/pg-types';
import { quoteIdent } from '../sql/quote';
import { compileTransform, REJECT_COLUMN } from './compile';
import type { ColumnSpec } from '../sql/warehouse-types';
import type { DuckdbDeps } from '../activities/duckdb';
import { queryRow, withDuckdb, type DuckdbLimits } from './duckdb-session';
import { heartbeatStep, keepAlive } from '../runtime/heartbeat';
import { deletePrefix, downloadFiles, uploadFile, type LakeTarget } from '../runtime/lake';
import { partName, processedPrefix, rejectedPrefix, type RunLocation } from '../common/lake-layout';
import { runBounded } from '../common/run-bounded';
import type { S3Deps } from '../activities/s3';
import { withSpool } from '../runtime/spool';
import { checkOutputColumns, createInputRelations, referenceRelation, UNREPRESENTABLE_RELATION } from './relations';
import { hasUnrepresentableMarker, UNREPRESENTABLE_RULE } from '../sql/type-map';

export type TransformDeps = DuckdbDeps & S3Deps;

export interface TransformInput {
  table: TableSpec;
  location: RunLocation;
  lake: LakeTarget;
  rawKeys: string[];
  /** Referenced table name → S3 key of its key set (from extractKeys). */
  references: Record<string, string>;
  /** Looked-up table name → S3 key of its key set with the looked-up columns (from extractKeys with columns). */
  lookups?: Record<string, string>;
  sourceColumns: SourceColumn[];
  limits?: DuckdbLimits;
  /** Also the per-column checksums, for a load that checks every column in SQL (the Redshift batch's guards). */
  checksumColumns?: boolean;
}

export interface TransformResult {
  inputRows: number;
  acceptedRows: number;
  rejectedRows: number;
  rejectedByRule: Record<string, number>;
  columns: ColumnSpec[];
  processed: { bucket: string; prefix: string; keys: string[] };
  rejected?: { bucket: string; key: string };
  keyChecksum: string;
  /** Per loaded column, the checksum of the processed Parquet (columnChecksumSelect), when asked for. */
  columnChecksums?: Record<string, string>;
  /** The same content hashed once per row (rowChecksumSelect): what a Postgres load checks first. */
  rowChecksum: string;
  /** Of `seconds`, computing the content checksums. */
  checksumSeconds: number;
  qualityScore: number;
  processedBytes: number;
  seconds: number;
}

type Downloaded = { raw: string[]; references: Record<string, string>; lookups: Record<string, string> };

async function download(deps: TransformDeps, input: TransformInput, dir: string): Promise<Downloaded> {
  const { bucket } = input.lake;
  const raw = await downloadFiles({ s3: deps.s3, bucket, keys: input.rawKeys, dir, name: 'raw' });
  const references: Record<string, string> = {};
  for (const [table, key] of Object.entries(input.references)) {
    [references[table] = ''] = await downloadFiles({ s3: deps.s3, bucket, keys: [key], dir, name: `ref-${table}` });
  }
  const lookups: Record<string, string> = {};
  for (const [table, key] of Object.entries(input.lookups ?? {})) {
    [lookups[table] = ''] = await downloadFiles({ s3: deps.s3, bucket, keys: [key], dir, name: `lookup-${table}` });
  }
  return { raw, references, lookups };
}

/** One scan of the result: rows, and count and key checksum per outcome (accepted, or the rule a row failed). */
async function summarize(connection: DuckDBConnection, table: TableSpec) {
  const sql = `SELECT ${REJECT_COLUMN}, ${keyChecksumSelect({ dialect: 'duckdb', keys: table.primaryKey })} FROM etl_result GROUP BY 1`;
  const rejectedByRule: Record<string, number> = {};
  let accepted = { rows: 0, keyChecksum: '0' };
  for (const [rule, count, checksum] of (await connection.runAndReadAll(sql)).getRows()) {
    if (rule === null) accepted = { rows: Number(count), keyChecksum: String(checksum) };
    else rejectedByRule[String(rule)] = Number(count);
  }
  const sorted = Object.fromEntries(Object.entries(rejectedByRule).sort(([a], [b]) => a.localeCompare(b)));
  return { accepted, rejectedByRule: sorted };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name)).sort();
}

/** The row checksum (and per-column ones when asked) read back from the processed Parquet itself, exactly what the load will stage. */
async function checksumContent(connection: DuckDBConnection, input: { table: TableSpec; columns: ColumnSpec[]; dir: string; perColumn: boolean }) {
  const from = readParquetFiles({ paths: await listFiles(input.dir) });
  const spec = { dialect: 'duckdb' as const, keys: input.table.primaryKey, columns: input.columns };
  const started = performance.now();
  const perColumn = input.perColumn ? `, ${columnChecksumSelect(spec)}` : '';
  const [rowChecksum, ...columns] = await queryRow(connection, `SELECT ${rowChecksumSelect(spec)}${perColumn} FROM ${from}`);
  const checksumSeconds = (performance.now() - started) / 1000;
  const columnChecksums = input.perColumn ? readColumnChecksums(input.columns, columns) : undefined;
  return { rowChecksum: labelRowChecksum(ROW_CHECKSUM_VERSION, String(rowChecksum)), columnChecksums, checksumSeconds };
}

/** With `nullWatermark: reject`, rows whose watermark (an interval table's event time) is NULL are rejected first, as null_watermark. */
function withNullWatermarkRule(table: TableSpec): TransformStep[] {
  const column = table.window === 'interval' ? (table.eventTime ?? table.watermark) : table.watermark;
  if (!column || table.mode === 'full-refresh' || table.nullWatermark !== 'reject') return table.transform;
  return [{ kind: 'dropNulls', body: { columns: [column], rule: 'null_watermark' } }, ...table.transform];
}

async function runTransform(connection: DuckDBConnection, input: TransformInput, files: Downloaded, dir: string) {
  const { table } = input;
  const marked = hasUnrepresentableMarker(input.sourceColumns);
  await createInputRelations(connection, { table, raw: readParquetFiles({ paths: files.raw }), references: files.references, lookups: files.lookups, marked });
  const query = compileTransform({ source: 'etl_input', steps: withNullWatermarkRule(table), context: { keys: table.primaryKey, referenceRelation } });
  await connection.run(`CREATE OR REPLACE TEMP TABLE etl_result AS ${query}`);
  const columns = await checkOutputColumns(connection, table, input.sourceColumns);
  const accepted = `SELECT ${columns.map((column) => quoteIdent(column.name)).join(', ')} FROM etl_result WHERE ${REJECT_COLUMN} IS NULL`;
  const [inputRows] = await queryRow(connection, 'SELECT count(*) FROM etl_input');
  const { accepted: stats, rejectedByRule } = await summarize(connection, table);
  const [unrepresentable = 0] = marked ? await queryRow(connection, `SELECT count(*) FROM ${UNREPRESENTABLE_RELATION}`) : [];
  if (Number(unrepresentable) > 0) rejectedByRule[UNREPRESENTABLE_RULE] = Number(unrepresentable);
  const rejectedSorted = Object.fromEntries(Object.entries(rejectedByRule).sort(([a], [b]) => a.localeCompare(b)));
  await connection.run(copyToParquetDirectory({ query: accepted, dir: join(dir, 'processed'), partitionBy: table.partitionBy }));
  // A partitioned COPY of zero rows writes no file, and Redshift's COPY fails on an empty prefix: keep one.
  if ((await listFiles(join(dir, 'processed'))).length === 0) {
    await mkdir(join(dir, 'processed'), { recursive: true });
    await connection.run(copyToParquetFile({ query: accepted, path: join(dir, 'processed', 'part-0.parquet') }));
  }
  const content = await checksumContent(connection, { table, columns, dir: join(dir, 'processed'), perColumn: input.checksumColumns === true });
  const rejectedRows = Object.values(rejectedByRule).reduce((sum, count) => sum + count, 0);
  if (rejectedRows > 0) {
    const byRule = `SELECT * EXCLUDE (${REJECT_COLUMN}), ${REJECT_COLUMN} AS reject_reason FROM etl_result WHERE ${REJECT_COLUMN} IS NOT NULL`;
    // Rows rejected before the steps keep the raw columns, the steps' rejects the output's: one file, matched by name.
    const rejected = Number(unrepresentable) > 0 ? `${byRule} UNION ALL BY NAME SELECT * FROM ${UNREPRESENTABLE_RELATION}` : byRule;
    await connection.run(copyToParquetFile({ query: rejected, path: join(dir, 'rejected.parquet') }));
  }
  return { columns, inputRows: Number(inputRows) + Number(unrepresentable), acceptedRows: stats.rows, keyChecksum: stats.keyChecksum, ...content, rejectedByRule: rejectedSorted, rejectedRows };
}

async function upload(deps: TransformDeps, input: TransformInput, dir: string, hasRejects: boolean) {
  const prefix = processedPrefix(input.location);
  await deletePrefix({ s3: deps.s3, bucket: input.lake.bucket, prefix });
  // Only the transform's own part: a files extract leaves its malformed rows beside it (malformed-NNNNN.parquet).
  await deletePrefix({ s3: deps.s3, bucket: input.lake.bucket, prefix: `${rejectedPrefix(input.location)}part-` });
  const processedDir = join(dir, 'processed');
  const rejectedKey = `${rejectedPrefix(input.location)}${partName(0)}`;
  // Partitions are many small files: upload a few side by side (each multipart upload buffers up to 32 MB).
  const uploads = runBounded(await listFiles(processedDir), 3, async (path) => {
    const key = `${prefix}${relative(processedDir, path)}`;
    await uploadFile({ s3: deps.s3, lake: input.lake, key, path });
    return { key, bytes: (await stat(path)).size };
  });
  const rejects = hasRejects ? uploadFile({ s3: deps.s3, lake: input.lake, key: rejectedKey, path: join(dir, 'rejected.parquet') }) : undefined;
  const [uploaded] = await Promise.all([uploads, rejects]);
  const keys = uploaded.map((file) => file.key);
  const processedBytes = uploaded.reduce((sum, file) => sum + file.bytes, 0);
  const rejected = hasRejects ? { bucket: input.lake.bucket, key: rejectedKey } : undefined;
  return { processed: { bucket: input.lake.bucket, prefix, keys }, rejected, processedBytes };
}

export function createTransformActivities(deps: TransformDeps) {
  return {
    /**
     * Applies the table's declarative steps in DuckDB to the raw Parquet: accepted rows to processed-data/
     * (partitioned, in target column order), every rejected row to rejected/ with the rule it failed.
     */
    async transformTable(input: TransformInput): Promise<TransformResult> {
      const started = Date.now();
      return keepAlive(() => withSpool({ spoolDir: deps.spoolDir, name: `transform-${input.table.name}` }, async (dir) => {
        const files = await download(deps, input, dir);
        const partsTotal = input.rawKeys.length;
        heartbeatStep({ step: 'transform', partsDone: 0, partsTotal, rows: 0, bytes: 0 });
        const context = { table: input.table.name, step: 'transform' };
        const result = await withDuckdb({ duckdb: deps.duckdb, spool: dir, limits: input.limits, context }, (connection) => runTransform(connection, input, files, dir));
        // DuckDB runs the steps as one statement: its rows are known once it returns, before the upload.
        heartbeatStep({ step: 'transform', partsDone: partsTotal, partsTotal, rows: result.inputRows, bytes: 0 });
        if (result.inputRows !== result.acceptedRows + result.rejectedRows) {
          throw ApplicationFailure.nonRetryable(`table ${input.table.name}: ${result.inputRows} rows in, ${result.acceptedRows} accepted + ${result.rejectedRows} rejected`, 'ReconciliationFailed');
        }
        const stored = await upload(deps, input, dir, result.rejectedRows > 0);
        heartbeatStep({ step: 'transform', partsDone: partsTotal, partsTotal, rows: result.inputRows, bytes: stored.processedBytes });
        const qualityScore = result.inputRows === 0 ? 1 : result.acceptedRows / result.inputRows;
        return { ...result, ...stored, qualityScore, seconds: (Date.now() - started) / 1000 };
      }));
    },
  };
}
