import { ApplicationFailure } from '@temporalio/activity';
import type { TableSpec, WarehouseSpec } from '../../../config/pipeline-schema';
import { listObjects, type ListedObject } from '../../../runtime/lake-objects';
import type { ExtractPlan, FilesPlan, PlanExtractInput } from '../types';
import { declaredSourceColumns } from './columns';
import { globToRegExp, matchesGlob } from './glob';
import type { FilesDeps } from './deps';

/** Reads a files table's bookmarks (object key → ETag) from whichever warehouse holds them. */
export type ReadFileBookmarks = (input: { pipeline: string; table: string; warehouse?: WarehouseSpec }) => Promise<Map<string, string>>;

/** The objects a run reads: new ones, and rewritten ones (a new ETag) as onRewrite says; the others were loaded. */
export function chooseFiles(input: { pipeline: string; table: TableSpec; objects: ListedObject[]; bookmarks: Map<string, string> }): Pick<FilesPlan, 'files' | 'skipped'> {
  const { table } = input;
  const onRewrite = table.files?.onRewrite ?? 'fail';
  const files: FilesPlan['files'] = [];
  const skipped: string[] = [];
  for (const object of input.objects) {
    const loaded = table.mode === 'full-refresh' ? undefined : input.bookmarks.get(object.key);
    if (loaded === object.etag) continue;
    if (loaded !== undefined && onRewrite === 'skip') skipped.push(object.key);
    else if (loaded !== undefined && onRewrite === 'fail') {
      throw ApplicationFailure.create({
        message: `pipeline ${input.pipeline}, table ${table.name}, step plan: ${object.key} was loaded before and has been rewritten (new ETag); nothing was read. Set files.onRewrite to reload (merge it again by key) or skip, or run etl reset on the table to read every file again`,
        type: 'FileRewritten',
        nonRetryable: true,
      });
    } else files.push({ key: object.key, etag: object.etag, size: object.size });
  }
  return { files, skipped };
}

/** The files source's plan: list the prefix, drop what was loaded, declare the columns. */
export function createFilesPlan(deps: FilesDeps) {
  return {
    /** Lists the objects under the prefix that match the glob and that no committed load read (by key and ETag). */
    async planExtract(input: PlanExtractInput): Promise<ExtractPlan> {
      const { table } = input;
      const pipeline = input.pipeline ?? '';
      if (!table.files || !table.columns) throw ApplicationFailure.nonRetryable(`pipeline ${pipeline}, table ${table.name}: kind: files needs files: and columns:`, 'PipelineInvalid');
      if (!input.lake) throw ApplicationFailure.nonRetryable(`pipeline ${pipeline}, table ${table.name}: the plan of a files table needs the lake`, 'PipelineInvalid');
      const spec = { ...table.files, bucket: table.files.bucket ?? input.lake.bucket };
      const quarantinePrefix = spec.quarantinePrefix ?? `${input.lake.prefix}quarantine/${table.name}/`;
      const glob = globToRegExp(spec.glob);
      const listed = await listObjects({ s3: deps.s3, bucket: spec.bucket, prefix: spec.prefix });
      // A quarantine folder under the landing prefix is never read back.
      const objects = listed.filter((object) => matchesGlob({ key: object.key, prefix: spec.prefix, glob }) && !object.key.startsWith(quarantinePrefix));
      const bookmarks = await deps.readFileBookmarks({ pipeline, table: table.name, warehouse: input.warehouse });
      const { files, skipped } = chooseFiles({ pipeline, table, objects, bookmarks });
      return {
        pipeline: input.pipeline,
        kind: 'files',
        table: table.name,
        source: `s3://${spec.bucket}/${spec.prefix}${spec.glob}`,
        database: input.database,
        columns: declaredSourceColumns(table.columns),
        chunkKey: [],
        sourceRows: 0,
        files: { spec, files, skipped, quarantinePrefix },
      };
    },
  };
}
