import { ApplicationFailure, patched } from '@temporalio/workflow';
import type { LakeTarget, RawTableRun, TransformResult, WithdrawnKeys } from '../activities';
import type { RunLocation } from '../common/lake-layout';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { bulk, quick } from './activities';
import { loadInputOf } from './load-input';
import type { TableRunResult } from './results';
import { extractLookups, findTable, referencedTables, stepSummary } from './table-etl';
import { lookupNeeds } from '../config/transform-schema';

export interface ReprocessTableInput {
  pipeline: Pipeline;
  table: TableSpec;
  raw: RawTableRun;
  /** Where this reprocess writes its processed and rejected files (its own run id, the raw run's date). */
  location: RunLocation;
  lake: LakeTarget;
}

/** Pipeline, table and run date of a reprocessed table, for its activities' summaries. */
const at = (input: ReprocessTableInput) => ({ pipeline: input.pipeline.name, table: input.table.name, runDate: input.location.runDate });

function reconcile(input: ReprocessTableInput, stage: string, expected: number, actual: number): void {
  if (expected === actual) return;
  const at = `pipeline ${input.pipeline.name}, table ${input.table.name}, run date ${input.raw.runDate}, step reprocess`;
  throw ApplicationFailure.nonRetryable(`${at}: ${stage}: expected ${expected} rows, got ${actual}; nothing more was loaded. Check the raw run ${input.raw.runId} (${input.raw.uri})`, 'ReconciliationFailed');
}

/** The accepted keys of each referenced table, read from its warehouse target (never from the source). */
async function extractAcceptedKeys(input: ReprocessTableInput): Promise<Record<string, string>> {
  const references: Record<string, string> = {};
  const { warehouse } = input.pipeline;
  for (const name of referencedTables(input.table)) {
    const referenced = findTable(input.pipeline, name);
    const location = { ...input.location, table: referenced.name };
    const summary = { summary: stepSummary(`read ${name} keys for`, at(input)) };
    if (warehouse.type === 'redshift') references[name] = (await bulk.extractRedshiftKeys.executeWithOptions(summary, [{ table: referenced, warehouse, location, lake: input.lake }])).key;
    else references[name] = (await bulk.extractKeys.executeWithOptions(summary, [{ table: { ...referenced, source: referenced.target }, database: 'warehouse', location, lake: input.lake, limits: input.pipeline.duckdb }])).key;
  }
  return references;
}

/** A `deletes: soft` target keeps its is_deleted / deleted_at columns (no source key set: nothing is marked). */
function softColumnsOf(table: TableSpec): { deletes?: 'soft' } {
  return table.deletes === 'soft' ? { deletes: 'soft' } : {};
}

/**
 * The keys of rows the changed rules now reject, which the load removes from the target; none for a full
 * refresh (it replaces the table) or without rejects. Behind a patch: reprocesses started before it replay.
 */
async function findWithdrawnKeys(input: ReprocessTableInput, transformed: TransformResult): Promise<WithdrawnKeys | undefined> {
  const { pipeline, table, lake, location } = input;
  if (!patched('reprocess-withdraws-rejected') || table.mode === 'full-refresh' || !transformed.rejected) return undefined;
  return bulk.findWithdrawnKeys.executeWithOptions({ summary: stepSummary('reprocess: find keys the rules now reject in', at(input)) }, [
    { pipeline: pipeline.name, table: { name: table.name, primaryKey: table.primaryKey }, lake, location, rejected: transformed.rejected },
  ]);
}

/**
 * One table of one day again from its raw Parquet: check the transform against the recorded column types and
 * the target, transform, load by the table's mode. No source is read, no watermark or source mark is saved
 * (the nightly incremental and the went-backwards check see the state of the last real run), and deletes are
 * not propagated (they need the source's key set of now). Rows the new rules reject leave the target, unless a
 * later raw run holds their key.
 */
export async function reprocessTable(input: ReprocessTableInput): Promise<TableRunResult> {
  const { pipeline, table, raw, lake, location } = input;
  const started = Date.now();
  const sourceColumns = raw.columns;
  const checked = await quick.checkTransform.executeWithOptions({ summary: stepSummary('check transform of', at(input)) }, [{ pipeline: pipeline.name, table, sourceColumns, warehouse: pipeline.warehouse }]);
  const references = await extractAcceptedKeys(input);
  const lookups = Object.keys(lookupNeeds(table.transform)).length > 0 ? await extractLookups({ pipeline, table, location, lake }) : undefined;
  const checksumColumns = pipeline.warehouse.type === 'redshift';
  const transformed = await bulk.transformTable.executeWithOptions({ summary: stepSummary('reprocess: transform', at(input)) }, [
    { table, location, lake, rawKeys: raw.keys, references, ...(lookups ? { lookups } : {}), sourceColumns, limits: pipeline.duckdb, checksumColumns },
  ]);
  reconcile(input, 'transform input = raw rows', raw.extractedRows, transformed.inputRows);
  const withdrawn = await findWithdrawnKeys(input, transformed);
  const load = { ...loadInputOf({ pipeline, table, transformed, runId: location.runId }), schemaChange: checked.schemaChange, ...softColumnsOf(table), ...(withdrawn?.file ? { withdrawnKeys: withdrawn.file } : {}) };
  const { warehouse } = pipeline;
  const summary = { summary: stepSummary('reprocess: load', at(input)) };
  const loaded = warehouse.type === 'redshift' ? await bulk.loadIntoRedshift.executeWithOptions(summary, [{ ...load, warehouse }]) : await bulk.loadIntoPostgres.executeWithOptions(summary, [load]);
  reconcile(input, 'raw = loaded + rejected', raw.extractedRows, loaded.rows + transformed.rejectedRows);
  return {
    table: table.name,
    target: table.target,
    mode: table.mode,
    sourceRows: raw.extractedRows,
    extractedRows: raw.extractedRows,
    rejectedRows: transformed.rejectedRows,
    rejectedByRule: transformed.rejectedByRule,
    loadedRows: loaded.rows,
    qualityScore: transformed.qualityScore,
    keyChecksum: loaded.keyChecksum,
    rowChecksum: transformed.rowChecksum,
    columnChecksums: transformed.columnChecksums,
    bytes: { raw: 0, processed: transformed.processedBytes },
    seconds: { extract: 0, transform: transformed.seconds, load: loaded.seconds, total: (Date.now() - started) / 1000, verify: { transform: transformed.checksumSeconds, load: loaded.verifySeconds ?? 0 } },
    uris: {
      raw: raw.uri,
      processed: `s3://${transformed.processed.bucket}/${transformed.processed.prefix}`,
      rejected: transformed.rejected ? `s3://${transformed.rejected.bucket}/${transformed.rejected.key}` : undefined,
    },
    ...(checked.schemaChange ? { schemaChanges: checked.schemaChange.notes } : {}),
    ...(withdrawn ? { withdrawn: { keys: withdrawn.keys, ...(loaded.withdrawnRows !== undefined ? { rows: loaded.withdrawnRows } : {}), ...(withdrawn.file ? { uri: `s3://${withdrawn.file.bucket}/${withdrawn.file.key}` } : {}) } } : {}),
  };
}
