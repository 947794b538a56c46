import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { log } from '@temporalio/activity';
import { partName, rawPrefix, rejectedPrefix } from '../../../common/lake-layout';
import { heartbeat, keepAlive, lastHeartbeat, throwIfCancelled } from '../../../runtime/heartbeat';
import { deletePrefix, uploadFile } from '../../../runtime/lake';
import { withSpool } from '../../../runtime/spool';
import { copyToParquetFile } from '../../../sql/duckdb-read';
import { withDuckdb } from '../../../transform/duckdb-session';
import type { ExtractedPart, ExtractResult, ExtractTableInput, FilesPlan, PlannedFile } from '../types';
import type { FilesDeps } from './deps';
import { downloadPlannedFile } from './download';
import { compressionOf } from './glob';
import { quarantineFile, wasQuarantined } from './quarantine';
import { readOneFile } from './read-file';
import { selectRawRows } from './sql';

/** What became of one planned object. */
interface FileOutcome {
  key: string;
  etag: string;
  status: 'read' | 'quarantined' | 'skipped';
  rows: number;
  malformedRows: number;
  part?: ExtractedPart;
  malformedKey?: string;
  movedTo?: string;
}

/** Heartbeat details: the outcome of every object handled so far, in plan order; a retry goes on after them. */
interface FilesProgress {
  outcomes: FileOutcome[];
}

const malformedName = (index: number) => `malformed-${String(index).padStart(5, '0')}.parquet`;

type FileContext = ExtractTableInput & { dir: string; plan: ExtractTableInput['plan'] & { files: FilesPlan } };

/** Reads one object in a sealed DuckDB session over the spool; uploads its part and its malformed rows. */
async function extractFile(deps: FilesDeps, input: FileContext & { file: PlannedFile; index: number }): Promise<FileOutcome> {
  const { plan, file, index } = input;
  const files = plan.files;
  const base = { key: file.key, etag: file.etag, rows: 0, malformedRows: 0 };
  const path = join(input.dir, `file-${index}`);
  const downloaded = await downloadPlannedFile({ s3: deps.s3, bucket: files.spec.bucket, file, path });
  if (downloaded === 'gone' && (await wasQuarantined({ s3: deps.s3, plan: files, file }))) return { ...base, status: 'quarantined' };
  if (downloaded !== 'ok') {
    log.warn('file not read: it changed or disappeared after the plan; the next run sees it as it is then', { pipeline: plan.pipeline, table: plan.table, file: file.key, why: downloaded });
    return { ...base, status: 'skipped' };
  }
  const rawPath = join(input.dir, partName(index));
  const malformedPath = join(input.dir, malformedName(index));
  const read = { path, format: files.spec.format, compression: compressionOf(file.key), columns: plan.columns, header: files.spec.header, delimiter: files.spec.delimiter };
  const context = { pipeline: plan.pipeline, table: plan.table, step: 'extract', file: file.key };
  const outcome = await withDuckdb({ duckdb: deps.duckdb, spool: input.dir, limits: input.limits, context }, (connection) => readOneFile(connection, { read, key: file.key, rawPath, malformedPath }));
  if ('unreadable' in outcome) {
    const movedTo = await quarantineFile({ s3: deps.s3, lake: input.lake, plan: files, file, reason: { pipeline: plan.pipeline, table: plan.table, reason: outcome.unreadable, quarantinedAt: new Date().toISOString() } });
    log.warn('file quarantined', { pipeline: plan.pipeline, table: plan.table, file: file.key, movedTo, reason: outcome.unreadable });
    return { ...base, status: 'quarantined', movedTo };
  }
  const key = `${rawPrefix(input.location)}${partName(index)}`;
  await uploadFile({ s3: deps.s3, lake: input.lake, key, path: rawPath });
  const part = { key, rows: outcome.rows, bytes: (await stat(rawPath)).size };
  const malformedKey = outcome.malformedRows > 0 ? `${rejectedPrefix(input.location)}${malformedName(index)}` : undefined;
  if (malformedKey) await uploadFile({ s3: deps.s3, lake: input.lake, key: malformedKey, path: malformedPath });
  return { ...base, status: 'read', rows: outcome.rows, malformedRows: outcome.malformedRows, part, ...(malformedKey ? { malformedKey } : {}) };
}

/** An empty raw part with the declared columns, so a run with no new object still hands the transform one part. */
async function writeEmptyPart(deps: FilesDeps, input: FileContext & { index: number }): Promise<ExtractedPart> {
  const path = join(input.dir, partName(input.index));
  const nulls = `(SELECT ${input.plan.columns.map((column) => `CAST(NULL AS ${column.duckdbType}) AS "${column.name.replace(/"/g, '""')}"`).join(', ')} LIMIT 0) empty_rows`;
  await withDuckdb({ duckdb: deps.duckdb, spool: input.dir, limits: input.limits, context: { pipeline: input.plan.pipeline, table: input.plan.table, step: 'extract' } }, (connection) =>
    connection.run(copyToParquetFile({ query: selectRawRows({ from: nulls, columns: input.plan.columns, cast: false, marker: true }), path })),
  );
  const key = `${rawPrefix(input.location)}${partName(input.index)}`;
  await uploadFile({ s3: deps.s3, lake: input.lake, key, path });
  return { key, rows: 0, bytes: (await stat(path)).size };
}

/** The result the workflow sees: the parts, the counts, and the bookmarks the load saves. */
function summarize(input: ExtractTableInput & { outcomes: FileOutcome[]; empty?: ExtractedPart; started: number; skippedAtPlan: number }): ExtractResult {
  const { outcomes } = input;
  const read = outcomes.filter((outcome) => outcome.status === 'read');
  const parts = [...read.flatMap((outcome) => (outcome.part ? [outcome.part] : [])), ...(input.empty ? [input.empty] : [])];
  const rows = parts.reduce((sum, part) => sum + part.rows, 0);
  return {
    bucket: input.lake.bucket,
    prefix: rawPrefix(input.location),
    parts,
    rows,
    bytes: parts.reduce((sum, part) => sum + part.bytes, 0),
    seconds: (Date.now() - input.started) / 1000,
    files: {
      read: read.length,
      quarantined: outcomes.filter((outcome) => outcome.status === 'quarantined').length,
      skipped: input.skippedAtPlan + outcomes.filter((outcome) => outcome.status === 'skipped').length,
      rows,
      malformedRows: read.reduce((sum, outcome) => sum + outcome.malformedRows, 0),
      bookmarks: read.map((outcome) => ({ key: outcome.key, etag: outcome.etag, rows: outcome.rows + outcome.malformedRows })),
      quarantine: outcomes.flatMap((outcome) => (outcome.status === 'quarantined' ? [{ key: outcome.key, movedTo: outcome.movedTo ?? '' }] : [])),
      malformedKeys: read.flatMap((outcome) => (outcome.malformedKey ? [outcome.malformedKey] : [])),
    },
  };
}

/** The files source's extract: each planned object to one raw part, heartbeating after each. */
export function createFilesExtract(deps: FilesDeps) {
  return {
    /**
     * Downloads each planned object to the spool and reads it with DuckDB into a raw Parquet part (malformed
     * CSV rows to rejected/, unreadable files to quarantine). Heartbeats after every object; a retry after a
     * crash goes on after the last one handled.
     */
    async extractTable(input: ExtractTableInput): Promise<ExtractResult> {
      const started = Date.now();
      const files = input.plan.files;
      if (!files) throw new Error(`table ${input.plan.table}: a files extract needs a files plan`);
      const progress = lastHeartbeat<FilesProgress>() ?? { outcomes: [] };
      if (progress.outcomes.length === 0) {
        await deletePrefix({ s3: deps.s3, bucket: input.lake.bucket, prefix: rawPrefix(input.location) });
        await deletePrefix({ s3: deps.s3, bucket: input.lake.bucket, prefix: `${rejectedPrefix(input.location)}malformed-` });
      }
      heartbeat(progress);
      const plan = { ...input.plan, files };
      return keepAlive(() =>
        withSpool({ spoolDir: deps.spoolDir, name: `extract-${plan.table}` }, async (dir) => {
          const context: FileContext = { ...input, plan, dir };
          for (let index = progress.outcomes.length; index < files.files.length; index += 1) {
            throwIfCancelled();
            const file = files.files[index] as PlannedFile;
            progress.outcomes.push(await extractFile(deps, { ...context, file, index }));
            heartbeat(progress);
          }
          const anyPart = progress.outcomes.some((outcome) => outcome.part);
          const empty = anyPart ? undefined : await writeEmptyPart(deps, { ...context, index: files.files.length });
          return summarize({ ...input, outcomes: progress.outcomes, empty, started, skippedAtPlan: files.skipped.length });
        }),
      );
    },
  };
}
