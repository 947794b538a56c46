import type { LakeTarget } from '../runtime/lake';
import type { Pipeline } from '../config/pipeline-schema';

/** Where each run's files live in the lake; keys derive from the run (workflow) id, so retries overwrite. */
export interface RunLocation {
  prefix: string;
  table: string;
  runDate: string;
  runId: string;
}

const safe = (value: string) => value.replace(/[^A-Za-z0-9._=-]/g, '_');

function area(kind: 'raw-data' | 'processed-data' | 'rejected', at: RunLocation): string {
  return `${at.prefix}${kind}/${at.table}/run_date=${at.runDate}/${safe(at.runId)}/`;
}

export const rawPrefix = (at: RunLocation) => area('raw-data', at);
export const processedPrefix = (at: RunLocation) => area('processed-data', at);
export const rejectedPrefix = (at: RunLocation) => area('rejected', at);
export const partName = (index: number) => `part-${String(index).padStart(5, '0')}.parquet`;
export const manifestKey = (at: Omit<RunLocation, 'table'>) => `${at.prefix}manifests/run_date=${at.runDate}/${safe(at.runId)}/_manifest.json`;

/** The lake a pipeline writes to, with its server-side encryption. */
export function lakeTargetOf(pipeline: Pick<Pipeline, 'lake'>): LakeTarget {
  const { bucket, serverSideEncryption, kmsKeyId } = pipeline.lake;
  return { bucket, encryption: { serverSideEncryption, kmsKeyId } };
}

/** Where every run's raw folders of one table live: raw-data/<table>/. */
export const rawTablePrefix = (at: Pick<RunLocation, 'prefix' | 'table'>) => `${at.prefix}raw-data/${at.table}/`;
/** Where the manifests of one run date live: manifests/run_date=<date>/. */
export const manifestsPrefix = (at: Pick<RunLocation, 'prefix' | 'runDate'>) => `${at.prefix}manifests/run_date=${at.runDate}/`;

/** The run folder of a lake key: its run date and run id segment (`run_date=YYYY-MM-DD/<runId>/`), if it has one. */
export function runFolderOfKey(key: string): { runDate: string; run: string } | undefined {
  const match = /(?:^|\/)run_date=(\d{4}-\d{2}-\d{2})\/([^/]+)\//.exec(key);
  return match?.[1] && match[2] ? { runDate: match[1], run: match[2] } : undefined;
}
