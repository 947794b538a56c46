import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { copyToParquetFile, countParquetRows, readCsvSpool, selectLastKey } from '../sql/duckdb-read';
import { copyPartToStdout, EXTRACT_SESSION_SETTINGS, type ExtractWindow } from '../sql/extract';
import type { SourceColumn } from '../sql/pg-types';
import { queryRow, withDuckdb, type DuckdbLimits } from './duckdb-session';
import { classifyPostgresError } from './errors';
import { heartbeat, keepAlive, lastHeartbeat, throwIfCancelled } from './heartbeat';
import { deletePrefix, uploadFile, type LakeTarget } from './lake';
import { partName, rawPrefix, type RunLocation } from '../common/lake-layout';
import { cancelStatementOnAbort } from './pg-cancel';
import { copyToFile } from './pg-copy';
import type { DatabaseRole, PostgresDeps } from './postgres';
import type { S3Deps } from './s3';
import { withSpool } from './spool';
import type { DuckdbDeps } from './duckdb';

export type ExtractDeps = PostgresDeps & S3Deps & DuckdbDeps;

/** What the extract reads, decided (and validated) before any data moves. */
export interface ExtractPlan {
  table: string;
  source: string;
  database: DatabaseRole;
  columns: SourceColumn[];
  /** The source primary key: parts are cut along it so a crashed extract resumes where it stopped. */
  chunkKey: string[];
  window?: ExtractWindow;
  /** Rows in the source window when planned. */
  sourceRows: number;
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
}

/** Heartbeat details: the parts already on S3 and the key the next part starts after. */
interface ExtractProgress {
  parts: ExtractedPart[];
  after?: string[];
  done: boolean;
}

export interface ExtractTableInput {
  plan: ExtractPlan;
  location: RunLocation;
  lake: LakeTarget;
  partRows: number;
  limits?: DuckdbLimits;
}

async function spoolPart(deps: ExtractDeps, input: ExtractTableInput & { after?: string[]; path: string }): Promise<number> {
  const { plan } = input;
  const sql = copyPartToStdout({ source: plan.source, columns: plan.columns, window: plan.window, chunkKey: plan.chunkKey, after: input.after, limit: plan.chunkKey.length > 0 ? input.partRows : undefined });
  const pool = deps.pools[plan.database];
  const client = await pool.connect();
  const stopWatching = await cancelStatementOnAbort({ pool, client });
  try {
    await client.query('BEGIN READ ONLY');
    for (const setting of EXTRACT_SESSION_SETTINGS) await client.query(setting);
    const bytes = await copyToFile({ client, sql, path: input.path });
    await client.query('COMMIT');
    return bytes;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throwIfCancelled();
    throw classifyPostgresError(error, { table: plan.table, source: plan.source });
  } finally {
    stopWatching();
    client.release();
  }
}

async function convertPart(deps: ExtractDeps, input: ExtractTableInput & { csv: string; parquet: string }): Promise<{ rows: number; lastKey?: string[] }> {
  const { plan } = input;
  return withDuckdb({ duckdb: deps.duckdb, limits: input.limits, context: { table: plan.table, step: 'extract' } }, async (connection) => {
    await connection.run(copyToParquetFile({ query: `SELECT * FROM ${readCsvSpool({ path: input.csv, columns: plan.columns })}`, path: input.parquet }));
    const [rows] = await queryRow(connection, countParquetRows({ path: input.parquet }));
    if (plan.chunkKey.length === 0 || rows === 0n) return { rows: Number(rows) };
    const lastKey = (await queryRow(connection, selectLastKey({ path: input.parquet, chunkKey: plan.chunkKey }))).map(String);
    return { rows: Number(rows), lastKey };
  });
}

async function extractPart(deps: ExtractDeps, input: ExtractTableInput & { progress: ExtractProgress; dir: string }): Promise<ExtractProgress> {
  const index = input.progress.parts.length;
  const csv = join(input.dir, `part-${index}.csv`);
  const parquet = join(input.dir, partName(index));
  await spoolPart(deps, { ...input, after: input.progress.after, path: csv });
  const { rows, lastKey } = await convertPart(deps, { ...input, csv, parquet });
  const key = `${rawPrefix(input.location)}${partName(index)}`;
  await uploadFile({ s3: deps.s3, lake: input.lake, key, path: parquet });
  const { size } = await stat(parquet);
  const parts = [...input.progress.parts, { key, rows, bytes: size }];
  const done = input.plan.chunkKey.length === 0 || rows < input.partRows;
  return { parts, after: lastKey ?? input.progress.after, done };
}

export function createExtractActivities(deps: ExtractDeps) {
  return {
    /**
     * Copies the planned window of a source table to raw Parquet parts on S3: COPY to a local spool, DuckDB
     * to Parquet with the catalog's types, multipart upload. Heartbeats after each part; a retry resumes
     * after the last uploaded part instead of starting over.
     */
    async extractTable(input: ExtractTableInput): Promise<ExtractResult> {
      const started = Date.now();
      let progress = lastHeartbeat<ExtractProgress>() ?? { parts: [], done: false };
      if (progress.parts.length === 0) {
        await deletePrefix({ s3: deps.s3, bucket: input.lake.bucket, prefix: rawPrefix(input.location) });
      }
      heartbeat(progress);
      await keepAlive(() =>
        withSpool({ spoolDir: deps.spoolDir, name: `extract-${input.plan.table}` }, async (dir) => {
          while (!progress.done) {
            throwIfCancelled();
            progress = await extractPart(deps, { ...input, progress, dir });
            heartbeat(progress);
          }
        }),
      );
      const rows = progress.parts.reduce((sum, part) => sum + part.rows, 0);
      const bytes = progress.parts.reduce((sum, part) => sum + part.bytes, 0);
      return { bucket: input.lake.bucket, prefix: rawPrefix(input.location), parts: progress.parts, rows, bytes, seconds: (Date.now() - started) / 1000 };
    },
  };
}
