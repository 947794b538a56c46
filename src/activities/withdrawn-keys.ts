import { join } from 'node:path';
import { rejectedPrefix, runFolderOfKey, rawTablePrefix, type RunLocation } from '../common/lake-layout';
import { downloadFiles, getJson, listKeys, uploadFile, type LakeTarget } from '../runtime/lake';
import { keepAlive } from '../runtime/heartbeat';
import { withSpool } from '../runtime/spool';
import { copyToParquetFile, readParquetFiles } from '../sql/duckdb-read';
import { readKeyColumns, selectWithdrawnKeys } from '../sql/withdrawn-keys';
import { queryRow, withDuckdb } from '../transform/duckdb-session';
import type { RunManifest } from '../workflows/results';
import type { DuckdbDeps } from './duckdb';
import type { S3Deps } from './s3';

export interface FindWithdrawnKeysInput {
  pipeline: string;
  table: { name: string; primaryKey: string[] };
  lake: LakeTarget;
  /** The reprocess's own location (its run id, the raw run's date): the keys file goes to its rejected/ folder. */
  location: RunLocation;
  /** The rows the reprocess's transform rejected (rejected/…/part-00000.parquet). */
  rejected: { bucket: string; key: string };
}

export interface WithdrawnKeys {
  /** Keys whose target rows the load removes (unless it stages them again). */
  keys: number;
  /** The keys file; absent when there are none. */
  file?: { bucket: string; key: string };
  /** Raw runs after the reprocessed day whose keys were kept (their version is newer). */
  laterRuns: string[];
}

/** The raw parts, still in the lake, of the pipeline's succeeded source runs of this table dated after the run date. */
async function findLaterRawParts(deps: S3Deps, input: FindWithdrawnKeysInput): Promise<{ keys: string[]; runs: string[] }> {
  const { bucket } = input.lake;
  const { prefix, runDate } = input.location;
  const manifests = (await listKeys({ s3: deps.s3, bucket, prefix: `${prefix}manifests/` }))
    .filter((key) => key.endsWith('/_manifest.json') && (runFolderOfKey(key)?.runDate ?? '') > runDate);
  const keys: string[] = [];
  const runs: string[] = [];
  for (const key of manifests) {
    const manifest = (await getJson({ s3: deps.s3, bucket, key })) as RunManifest;
    if (manifest.pipeline !== input.pipeline || manifest.status !== 'succeeded' || manifest.reprocessedFrom) continue;
    const raw = manifest.tables.find((table) => table.table === input.table.name)?.raw;
    if (!raw || raw.keys.length === 0) continue;
    keys.push(...raw.keys);
    runs.push(manifest.runId);
  }
  // Parts past the lake retention are gone, and with them any row they held.
  const present = new Set(keys.length > 0 ? await listKeys({ s3: deps.s3, bucket, prefix: rawTablePrefix({ prefix, table: input.table.name }) }) : []);
  return { keys: keys.filter((key) => present.has(key)), runs };
}

/** The reprocess activities that read the lake with DuckDB beyond the transform itself. */
export function createWithdrawnKeysActivities(deps: S3Deps & DuckdbDeps) {
  return {
    /**
     * `etl reprocess`: the keys of rows the changed rules now reject (from the transform's rejected file), less
     * those a later raw run of the table holds, written to the reprocess's rejected/ folder for the load to
     * remove from the target. Reads the lake only.
     */
    async findWithdrawnKeys(input: FindWithdrawnKeysInput): Promise<WithdrawnKeys> {
      return keepAlive(() => withSpool({ spoolDir: deps.spoolDir, name: `withdrawn-${input.table.name}` }, async (dir) => {
        const later = await findLaterRawParts(deps, input);
        const [rejected = ''] = await downloadFiles({ s3: deps.s3, bucket: input.rejected.bucket, keys: [input.rejected.key], dir, name: 'rejected' });
        const laterPaths = await downloadFiles({ s3: deps.s3, bucket: input.lake.bucket, keys: later.keys, dir, name: 'later' });
        const path = join(dir, 'withdrawn-keys.parquet');
        const context = { table: input.table.name, step: 'reprocess' };
        const keys = await withDuckdb({ duckdb: deps.duckdb, spool: dir, context }, async (connection) => {
          const query = selectWithdrawnKeys({
            keys: input.table.primaryKey,
            rejected: readParquetFiles({ paths: [rejected] }),
            ...(laterPaths.length > 0 ? { later: readKeyColumns({ paths: laterPaths, keys: input.table.primaryKey }) } : {}),
          });
          await connection.run(`CREATE TEMP TABLE etl_withdrawn AS ${query}`);
          const [count] = await queryRow(connection, 'SELECT count(*) FROM etl_withdrawn');
          if (Number(count) > 0) await connection.run(copyToParquetFile({ query: 'SELECT * FROM etl_withdrawn', path }));
          return Number(count);
        });
        if (keys === 0) return { keys, laterRuns: later.runs };
        const key = `${rejectedPrefix(input.location)}withdrawn-keys.parquet`;
        await uploadFile({ s3: deps.s3, lake: input.lake, key, path });
        return { keys, file: { bucket: input.lake.bucket, key }, laterRuns: later.runs };
      }));
    },
  };
}
