import { ApplicationFailure } from '@temporalio/activity';
import { manifestsPrefix, rawTablePrefix, runFolderOfKey } from '../common/lake-layout';
import { daysBefore } from '../common/run-days';
import { deleteKeys, getJson, listKeys, type LakeTarget } from '../runtime/lake';
import type { SourceColumn } from '../sql/pg-types';
import type { RunManifest } from '../workflows/results';
import type { S3Deps } from './s3';

/** One table's raw data of a run date, as the run that extracted it recorded it. */
export interface RawTableRun {
  table: string;
  runDate: string;
  runId: string;
  /** The raw folder (s3://bucket/prefix). */
  uri: string;
  /** The raw Parquet parts, keys in the lake bucket. */
  keys: string[];
  columns: SourceColumn[];
  /** Rows in the raw parts: the run's extracted rows less a files table's malformed ones (rejected at extract). */
  extractedRows: number;
}

export interface FindRawRunsInput {
  pipeline: string;
  lake: LakeTarget;
  /** The pipeline's lake prefix. */
  prefix: string;
  runDate: string;
  tables: string[];
  retainRawDays?: number;
}

export interface DeleteExpiredRawInput {
  pipeline: string;
  lake: LakeTarget;
  prefix: string;
  tables: string[];
  /** The run date of the run cleaning up: folders of run dates before runDate − retainRawDays go. */
  runDate: string;
  retainRawDays: number;
}

function refusal(input: FindRawRunsInput, table: string, what: string, type: string): ApplicationFailure {
  const rerun = `re-run the day from the source with: etl run <pipeline.yaml> --run-date ${input.runDate}`;
  return ApplicationFailure.nonRetryable(`pipeline ${input.pipeline}, table ${table}, run date ${input.runDate}, step reprocess: ${what}; nothing was reprocessed. To load it, ${rerun}`, type);
}

/** The succeeded runs of the pipeline on that date that read the source (reprocess runs read none), latest first. */
async function readSourceRuns(deps: S3Deps, input: FindRawRunsInput): Promise<RunManifest[]> {
  const keys = (await listKeys({ s3: deps.s3, bucket: input.lake.bucket, prefix: manifestsPrefix(input) })).filter((key) => key.endsWith('/_manifest.json'));
  const manifests = await Promise.all(keys.map(async (key) => (await getJson({ s3: deps.s3, bucket: input.lake.bucket, key })) as RunManifest));
  return manifests
    .filter((manifest) => manifest.pipeline === input.pipeline && manifest.status === 'succeeded' && !manifest.reprocessedFrom)
    .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
}

/** The run folders (run id segments) of a date whose manifest names the pipeline: its runs and its reprocesses. */
async function readOwnedRuns(deps: S3Deps, input: { pipeline: string; lake: LakeTarget; prefix: string; runDate: string }): Promise<Set<string>> {
  const keys = (await listKeys({ s3: deps.s3, bucket: input.lake.bucket, prefix: manifestsPrefix(input) })).filter((key) => key.endsWith('/_manifest.json'));
  const owned = new Set<string>();
  for (const key of keys) {
    const manifest = (await getJson({ s3: deps.s3, bucket: input.lake.bucket, key })) as Partial<RunManifest>;
    const folder = runFolderOfKey(key);
    if (folder && manifest.pipeline === input.pipeline) owned.add(folder.run);
  }
  return owned;
}

/** Checks that every recorded raw part is still in the lake; a missing one means retention (or a hand) removed it. */
async function checkRawPresent(deps: S3Deps, input: FindRawRunsInput, run: RawTableRun): Promise<void> {
  const prefix = run.uri.replace(`s3://${input.lake.bucket}/`, '');
  const present = new Set(await listKeys({ s3: deps.s3, bucket: input.lake.bucket, prefix }));
  if (run.keys.every((key) => present.has(key))) return;
  const where = `the raw data of run ${run.runId} (${run.uri}) is no longer in the lake`;
  if (input.retainRawDays !== undefined) throw refusal(input, run.table, `${where}: it is past the lake retention (lake.retainRawDays: ${input.retainRawDays}), so the day cannot be reprocessed from the lake`, 'RawDataExpired');
  throw refusal(input, run.table, `${where} (deleted outside the pipeline), so the day cannot be reprocessed from the lake`, 'RawDataMissing');
}

export function createLakeRunActivities(deps: S3Deps) {
  return {
    /**
     * For each table, the raw data of the latest succeeded run of that date (from the runs' manifests), checked
     * to be still in the lake; a table with none fails, naming the table and the date. Reads no source.
     */
    async findRawRuns(input: FindRawRunsInput): Promise<RawTableRun[]> {
      const runs = await readSourceRuns(deps, input);
      const found: RawTableRun[] = [];
      for (const table of input.tables) {
        const manifest = runs.find((run) => run.tables.some((result) => result.table === table));
        const result = manifest?.tables.find((candidate) => candidate.table === table);
        if (!manifest || !result) {
          const retention = input.retainRawDays === undefined ? '' : ` (or its runs are past the lake retention, lake.retainRawDays: ${input.retainRawDays})`;
          throw refusal(input, table, `no raw data for this day: no succeeded run of the pipeline on this date wrote a manifest${retention}`, 'RawDataMissing');
        }
        if (!result.raw) {
          throw refusal(input, table, `run ${manifest.runId} was made before runs recorded their raw parts and column types in the manifest, so it cannot be reprocessed from the lake`, 'RawRunUnrecorded');
        }
        // A files table's malformed rows never reached its raw parts (they are in rejected/ from the extract).
        const rawRows = result.extractedRows - (result.files?.malformedRows ?? 0);
        const run = { table, runDate: input.runDate, runId: manifest.runId, uri: result.uris.raw, keys: result.raw.keys, columns: result.raw.columns, extractedRows: rawRows };
        await checkRawPresent(deps, input, run);
        found.push(run);
      }
      return found;
    },

    /**
     * Deletes the raw run folders of the tables whose run date is older than the retention; only folders of
     * this pipeline's runs (named by its manifests: other pipelines may share the lake and the table names).
     */
    async deleteExpiredRawData(input: DeleteExpiredRawInput): Promise<{ deletedObjects: number; runDates: string[] }> {
      const before = daysBefore(input.runDate, input.retainRawDays);
      const expired = new Map<string, string[]>();
      for (const table of input.tables) {
        for (const key of await listKeys({ s3: deps.s3, bucket: input.lake.bucket, prefix: rawTablePrefix({ prefix: input.prefix, table }) })) {
          const folder = runFolderOfKey(key);
          if (folder && folder.runDate < before) expired.set(folder.runDate, [...(expired.get(folder.runDate) ?? []), key]);
        }
      }
      let deletedObjects = 0;
      const runDates: string[] = [];
      for (const [runDate, keys] of expired) {
        const owned = await readOwnedRuns(deps, { ...input, runDate });
        const mine = keys.filter((key) => owned.has(runFolderOfKey(key)?.run ?? ''));
        if (mine.length > 0) runDates.push(runDate);
        deletedObjects += await deleteKeys({ s3: deps.s3, bucket: input.lake.bucket, prefix: `${input.prefix}raw-data/`, keys: mine });
      }
      return { deletedObjects, runDates: runDates.sort() };
    },
  };
}
