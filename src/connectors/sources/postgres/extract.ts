import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PoolClient } from 'pg';
import { copyToParquetFile, countParquetRows, selectCsvSpool } from '../../../sql/duckdb-read';
import { copyPartToStdout, EXTRACT_SESSION_SETTINGS, selectPartEnd, type PartBounds } from './sql';
import { queryRow, withDuckdb } from '../../../transform/duckdb-session';
import { classifyPostgresError } from '../../../runtime/errors';
import { heartbeatStep, keepAlive, lastHeartbeat, throwIfCancelled } from '../../../runtime/heartbeat';
import { integerPartEnd } from './part-ranges';
import { deletePrefix, uploadFile } from '../../../runtime/lake';
import { partName, rawPrefix } from '../../../common/lake-layout';
import { cancelStatementOnAbort } from '../../pg/cancel';
import { copyToFile } from '../../pg/copy';
import type { PostgresDeps } from '../../../activities/postgres';
import type { S3Deps } from '../../../activities/s3';
import { withSpool } from '../../../runtime/spool';
import type { DuckdbDeps } from '../../../activities/duckdb';
import type { ExtractedPart, ExtractPlan, ExtractResult, ExtractTableInput } from '../types';

export type ExtractDeps = PostgresDeps & S3Deps & DuckdbDeps;

/** Heartbeat details: the parts already on S3 and the key the next part starts after. */
interface ExtractProgress {
  parts: ExtractedPart[];
  after?: string[];
  done: boolean;
}

/** The resume details plus the rows and bytes of the parts on S3 (what `etl status` shows while it runs). */
function reportExtract(progress: ExtractProgress): void {
  const totals = {
    step: 'extract' as const,
    partsDone: progress.parts.length,
    rows: progress.parts.reduce((sum, part) => sum + part.rows, 0),
    bytes: progress.parts.reduce((sum, part) => sum + part.bytes, 0),
  };
  heartbeatStep(totals, progress);
}


/** Runs `use` in a read-only source transaction with the session settings COPY's text output relies on. */
async function inExtractSession<T>(deps: ExtractDeps, plan: ExtractPlan, use: (client: PoolClient) => Promise<T>): Promise<T> {
  const pool = deps.pools[plan.database];
  const client = await pool.connect();
  const stopWatching = await cancelStatementOnAbort({ pool, client });
  try {
    await client.query('BEGIN READ ONLY');
    for (const setting of EXTRACT_SESSION_SETTINGS) await client.query(setting);
    const result = await use(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throwIfCancelled();
    throw classifyPostgresError(error, { pipeline: plan.pipeline, table: plan.table, source: plan.source });
  } finally {
    stopWatching();
    client.release();
  }
}

/** A part whose key range is fixed and whose COPY to the local spool is under way. */
interface PartInFlight extends PartBounds {
  index: number;
  csv: string;
  spooled: Promise<number>;
}

/**
 * The last key of the part after `after`, or undefined when that part is the last. A window that fits in
 * one part (most incremental runs) is one open-ended part; an integer key splits by arithmetic; any other
 * key asks Postgres for the partRows-th key.
 */
async function findPartEnd(deps: ExtractDeps, input: ExtractTableInput & { index: number; after?: readonly string[] }): Promise<string[] | undefined> {
  const { plan } = input;
  if (plan.chunkKey.length === 0 || (input.index === 0 && !input.after && plan.sourceRows <= input.partRows)) return undefined;
  if (plan.keyRange) return integerPartEnd({ range: plan.keyRange, parts: Math.ceil(plan.sourceRows / input.partRows), after: input.after });
  return inExtractSession(deps, plan, async (client) => {
    const sql = selectPartEnd({ source: plan.source, window: plan.window, chunkKey: plan.chunkKey, after: input.after, partRows: input.partRows });
    const row = (await client.query<unknown[]>({ text: sql, rowMode: 'array' })).rows[0];
    return row?.map(String);
  });
}

/** Fixes the next part's key range, then starts its COPY without waiting for it. */
async function startPart(deps: ExtractDeps, input: ExtractTableInput & { dir: string; index: number; after?: readonly string[] }): Promise<PartInFlight> {
  const { plan } = input;
  const upTo = await findPartEnd(deps, input);
  const csv = join(input.dir, `part-${input.index}.csv`);
  const sql = copyPartToStdout({ source: plan.source, columns: plan.columns, window: plan.window, chunkKey: plan.chunkKey, after: input.after, upTo });
  const spooled = inExtractSession(deps, plan, (client) => copyToFile({ client, sql, path: csv }));
  spooled.catch(() => undefined); // awaited by finishPart; this only keeps an early failure from going unhandled
  return { index: input.index, after: input.after, upTo, csv, spooled };
}

/** Waits for a part's spool, converts it to Parquet with the catalog's types and uploads it. */
async function finishPart(deps: ExtractDeps, input: ExtractTableInput & { dir: string; part: PartInFlight }): Promise<ExtractedPart> {
  const { plan, part } = input;
  await part.spooled;
  const parquet = join(input.dir, partName(part.index));
  const rows = await withDuckdb({ duckdb: deps.duckdb, spool: input.dir, limits: input.limits, context: { pipeline: plan.pipeline, table: plan.table, step: 'extract' } }, async (connection) => {
    await connection.run(copyToParquetFile({ query: selectCsvSpool({ path: part.csv, columns: plan.columns }), path: parquet }));
    return Number((await queryRow(connection, countParquetRows({ path: parquet })))[0]);
  });
  await rm(part.csv);
  const key = `${rawPrefix(input.location)}${partName(part.index)}`;
  await uploadFile({ s3: deps.s3, lake: input.lake, key, path: parquet });
  const { size } = await stat(parquet);
  await rm(parquet);
  return { key, rows, bytes: size };
}

/**
 * Parts in a pipeline: up to `copies` parts are copied out of Postgres at once (each COPY renders its rows on
 * one source core), and while the oldest is converted and uploaded the next ones copy, so the source and DuckDB
 * work at the same time. Parts finish in key order, so progress only ever records a whole prefix of them.
 */
async function extractParts(deps: ExtractDeps, input: ExtractTableInput & { dir: string; progress: ExtractProgress; onPart: (progress: ExtractProgress) => void }): Promise<ExtractProgress> {
  let progress = input.progress;
  const inFlight: PartInFlight[] = [];
  let next: { index: number; after?: readonly string[] } | undefined = { index: progress.parts.length, after: progress.after };
  const fill = async () => {
    while (next && inFlight.length < Math.max(1, input.copies ?? 1)) {
      const part = await startPart(deps, { ...input, ...next });
      inFlight.push(part);
      next = part.upTo ? { index: part.index + 1, after: part.upTo } : undefined;
    }
  };
  try {
    await fill();
    for (let current = inFlight.shift(); current; current = inFlight.shift()) {
      throwIfCancelled();
      await current.spooled;
      await fill();
      const done = await finishPart(deps, { ...input, part: current });
      progress = { parts: [...progress.parts, done], after: current.upTo ? [...current.upTo] : progress.after, done: !current.upTo };
      input.onPart(progress);
    }
    return progress;
  } finally {
    // Never leave a COPY writing into a spool directory that is about to be removed.
    await Promise.all(inFlight.map((part) => part.spooled.catch(() => undefined)));
  }
}

export function createPostgresExtract(deps: ExtractDeps) {
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
      reportExtract(progress);
      if (!progress.done) {
        progress = await keepAlive(() =>
          withSpool({ spoolDir: deps.spoolDir, name: `extract-${input.plan.table}` }, (dir) => extractParts(deps, { ...input, dir, progress, onPart: reportExtract })),
        );
      }
      const rows = progress.parts.reduce((sum, part) => sum + part.rows, 0);
      const bytes = progress.parts.reduce((sum, part) => sum + part.bytes, 0);
      return { bucket: input.lake.bucket, prefix: rawPrefix(input.location), parts: progress.parts, rows, bytes, seconds: (Date.now() - started) / 1000 };
    },
  };
}
