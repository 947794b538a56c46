import { ApplicationFailure, condition, defineSignal, patched, setHandler } from '@temporalio/workflow';
import type { ExtractPlan, ExtractResult, LakeTarget, TransformResult } from '../activities';
import { lakeTargetOf, type RunLocation } from '../common/lake-layout';
import { lookupNeeds } from '../config/transform-schema';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { bulk } from './activities';
import { loadInputOf } from './load-input';
import { countRecords, recordTableDuration, setQualityScore } from './metrics';
import { PROGRESS_DESCRIPTION, tableProgressQuery, type TableProgress } from './progress';
import type { TableRunResult } from './results';
import { installRunControl } from './run-control';
import { parallelPartsOf, transformParts, transformsPerPart } from './transform-parts';

export interface TableEtlInput {
  pipeline: Pipeline;
  table: string;
  runId: string;
  runDate: string;
  plan: ExtractPlan;
  /** Tables whose load must commit before this one's (dimensions before facts); extract and transform do not wait. */
  waitFor?: string[];
}

/** The parent's word that a table this one depends on has been loaded. */
export const dependencyLoadedSignal = defineSignal<[{ table: string }]>('dependencyLoaded');

/** One line naming the step, table, pipeline and run date: the activity's summary in the Web UI and `temporal workflow describe`. */
export const stepSummary = (step: string, at: { pipeline: string; table: string; runDate: string }) => `${step} ${at.table} (${at.pipeline}, ${at.runDate})`;

/** The table of a pipeline by name; a missing one fails the workflow (TableMissing). */
export function findTable(pipeline: Pipeline, name: string): TableSpec {
  const table = pipeline.tables.find((candidate) => candidate.name === name);
  if (!table) throw ApplicationFailure.nonRetryable(`no table ${name} in pipeline ${pipeline.name}`, 'TableMissing');
  return table;
}

function reconcile(table: string, stage: string, expected: number, actual: number): void {
  if (expected !== actual) {
    throw ApplicationFailure.nonRetryable(`table ${table}: ${stage}: expected ${expected} rows, got ${actual}`, 'ReconciliationFailed');
  }
}

/** The tables a table's `references` steps check against (validated to be among its dependsOn). */
export function referencedTables(table: TableSpec): string[] {
  return [...new Set(table.transform.flatMap((step) => (step.kind === 'references' ? [step.body.table] : [])))];
}

/**
 * The key set of each referenced table. With `accepted`, the keys of its warehouse target, read after its load
 * committed: exactly the rows that passed its own rules in this run or in an earlier one. Runs started before
 * that change keep reading the raw source keys.
 */
async function extractReferences(input: TableEtlInput, table: TableSpec, lake: LakeTarget, accepted: boolean): Promise<Record<string, string>> {
  const references: Record<string, string> = {};
  for (const name of referencedTables(table)) references[name] = await extractReferenceKeys({ input, table, lake, accepted, name });
  return references;
}

/** One referenced table's key set (see extractReferences). */
async function extractReferenceKeys(input: { input: TableEtlInput; table: TableSpec; lake: LakeTarget; accepted: boolean; name: string }): Promise<string> {
  const { pipeline, runDate, runId } = input.input;
  const { lake, name } = input;
  const referenced = findTable(pipeline, name);
  const location = { prefix: pipeline.lake.prefix, table: referenced.name, runDate, runId };
  const { warehouse } = pipeline;
  const summary = { summary: stepSummary(`read ${name} keys for`, { pipeline: pipeline.name, table: input.table.name, runDate }) };
  if (input.accepted && warehouse.type === 'redshift') return (await bulk.extractRedshiftKeys.executeWithOptions(summary, [{ table: referenced, warehouse, location, lake }])).key;
  if (input.accepted) return (await bulk.extractKeys.executeWithOptions(summary, [{ table: { ...referenced, source: referenced.target }, database: 'warehouse', location, lake, limits: pipeline.duckdb }])).key;
  return (await bulk.extractKeys.executeWithOptions(summary, [{ table: referenced, database: input.input.plan.database, location, lake, limits: pipeline.duckdb }])).key;
}

/**
 * The accepted key sets of the referenced tables, all read at once: each as soon as its table's load has
 * committed this run (a table this one does not wait for is read at once), not after the last of them.
 */
async function extractReferencesAsLoaded(input: { input: TableEtlInput; table: TableSpec; lake: LakeTarget; loaded: Set<string> }): Promise<Record<string, string>> {
  const waitFor = input.input.waitFor ?? [];
  const names = referencedTables(input.table);
  const keys = await Promise.all(
    names.map(async (name) => {
      await condition(() => !waitFor.includes(name) || input.loaded.has(name));
      return extractReferenceKeys({ ...input, accepted: true, name });
    }),
  );
  return Object.fromEntries(names.map((name, index) => [name, keys[index] ?? '']));
}

/** The referenced tables' key sets, by the newest way this run's history allows (older histories replay the way they ran). */
async function readReferences(input: { input: TableEtlInput; table: TableSpec; lake: LakeTarget; loaded: Set<string> }): Promise<Record<string, string>> {
  const { table, lake, loaded } = input;
  if (referencedTables(table).length > 0 && patched('reference-keys-as-loaded')) return extractReferencesAsLoaded(input);
  const accepted = patched('references-accepted-keys');
  if (accepted) {
    const referenced = referencedTables(table).filter((name) => (input.input.waitFor ?? []).includes(name));
    await condition(() => referenced.every((name) => loaded.has(name)));
  }
  return extractReferences(input.input, table, lake, accepted);
}

/** Waits until the looked-up tables have loaded this run, then reads their accepted rows' looked-up columns. */
async function waitAndExtractLookups(input: { input: TableEtlInput; table: TableSpec; lake: LakeTarget; looked: string[]; loaded: Set<string> }): Promise<Record<string, string>> {
  const waited = input.looked.filter((name) => (input.input.waitFor ?? []).includes(name));
  await condition(() => waited.every((name) => input.loaded.has(name)));
  const { pipeline, runDate, runId } = input.input;
  return extractLookups({ pipeline, table: input.table, location: { prefix: pipeline.lake.prefix, runDate, runId }, lake: input.lake });
}

/**
 * Each looked-up table's key set with the columns the lookups read, from its warehouse target after its load
 * committed this run: its accepted rows only.
 */
export async function extractLookups(input: { pipeline: Pipeline; table: TableSpec; location: Omit<RunLocation, 'table'>; lake: LakeTarget }): Promise<Record<string, string>> {
  const lookups: Record<string, string> = {};
  const { warehouse } = input.pipeline;
  for (const [name, need] of Object.entries(lookupNeeds(input.table.transform))) {
    const looked = findTable(input.pipeline, name);
    const location = { ...input.location, table: looked.name };
    const { columns } = need;
    const summary = { summary: stepSummary(`look up ${name} for`, { pipeline: input.pipeline.name, table: input.table.name, runDate: input.location.runDate }) };
    if (warehouse.type === 'redshift') lookups[name] = (await bulk.extractRedshiftKeys.executeWithOptions(summary, [{ table: looked, warehouse, location, lake: input.lake, columns }])).key;
    else lookups[name] = (await bulk.extractKeys.executeWithOptions(summary, [{ table: { ...looked, source: looked.target }, database: 'warehouse', location, lake: input.lake, columns, limits: input.pipeline.duckdb }])).key;
  }
  return lookups;
}

/**
 * A files table's counts: its source (and extracted) rows are the rows its objects held, malformed ones (set
 * aside by the extract, with file and line) included, so extracted = loaded + rejected holds in the manifest.
 */
function filesOutcome(raw: ExtractResult, transformed: TransformResult) {
  if (!raw.files) return undefined;
  const { bookmarks, ...summary } = raw.files;
  const malformed = summary.malformedRows;
  const sourceRows = raw.rows + malformed;
  const rejectedByRule = malformed > 0 ? { ...transformed.rejectedByRule, malformed_row: malformed } : transformed.rejectedByRule;
  const qualityScore = sourceRows === 0 ? 1 : transformed.acceptedRows / sourceRows;
  return { sourceRows, rejectedRows: transformed.rejectedRows + malformed, rejectedByRule, qualityScore, summary: { ...summary, bookmarked: bookmarks.length } };
}

/**
 * One table through extract → transform → load, reconciled at every hand-off. `pause`/`resume` signals
 * (forwarded by the parent run) act between the steps; the `progress` query tells the current step.
 */
export async function tableEtlWorkflow(input: TableEtlInput): Promise<TableRunResult> {
  const loadedDependencies = new Set<string>();
  setHandler(
    dependencyLoadedSignal,
    ({ table: name }) => {
      loadedDependencies.add(name);
    },
    { description: 'Sent by the run: a table this one depends on has committed its load (this table loads only after all of them).' },
  );
  const started = Date.now();
  const { pipeline, plan } = input;
  const table = findTable(pipeline, input.table);
  const lake = lakeTargetOf(pipeline);
  const location = { prefix: pipeline.lake.prefix, table: table.name, runDate: input.runDate, runId: input.runId };
  const at = { pipeline: pipeline.name, table: table.name };
  const progress: TableProgress = { table: table.name, stage: 'waiting', sourceRows: plan.sourceRows };
  const control = installRunControl();
  setHandler(tableProgressQuery, () => ({ ...progress, paused: control.isPaused() }), { description: PROGRESS_DESCRIPTION });
  const summary = (step: string) => ({ summary: stepSummary(step, { ...at, runDate: input.runDate }) });
  const enter = async (stage: TableProgress['stage']) => {
    await control.waitIfResumed();
    progress.stage = stage;
  };
  await enter('extract');
  const raw = await bulk.extractTable.executeWithOptions(summary('extract'), [{ plan, location, lake, partRows: pipeline.extract.partRows, copies: pipeline.extract.parallelCopies, limits: pipeline.duckdb }]);
  // A files table's malformed rows were read (and set aside): they count as extracted and as rejected.
  const malformedRows = raw.files?.malformedRows ?? 0;
  countRecords({ ...at, stage: 'extract', rows: raw.rows + malformedRows });
  Object.assign(progress, { extractedRows: raw.rows, bytes: raw.bytes });
  await enter('transform');
  // References mean accepted rows: the transform waits until the referenced tables have loaded this run.
  const references = await readReferences({ input, table, lake, loaded: loadedDependencies });
  // Only a table with lookups adds the marker and its waits, so histories without lookups replay unchanged.
  const looked = Object.keys(lookupNeeds(table.transform));
  const lookups = looked.length > 0 && patched('lookup-steps') ? await waitAndExtractLookups({ input, table, lake, looked, loaded: loadedDependencies }) : undefined;
  const rawKeys = raw.parts.map((part) => part.key);
  const checksumColumns = pipeline.warehouse.type === 'redshift';
  const transformInput = { table, location, lake, rawKeys, references, ...(lookups ? { lookups } : {}), sourceColumns: plan.columns, limits: pipeline.duckdb, checksumColumns };
  // Several parts of a table that allows it: one transform activity per part, spread over the fleet.
  const perPart = rawKeys.length > 1 && transformsPerPart(table, plan) && patched('transform-per-part');
  const transformed = perPart
    ? await transformParts({ transform: transformInput, parallelParts: parallelPartsOf(pipeline), summary: (part) => summary(`transform part ${part + 1} of ${rawKeys.length} of`) })
    : await bulk.transformTable.executeWithOptions(summary('transform'), [transformInput]);
  reconcile(table.name, 'transform input', raw.rows, transformed.inputRows);
  countRecords({ ...at, stage: 'transform', rows: transformed.acceptedRows });
  countRecords({ ...at, stage: 'rejected', rows: transformed.rejectedRows + malformedRows });
  setQualityScore({ ...at, score: filesOutcome(raw, transformed)?.qualityScore ?? transformed.qualityScore });
  Object.assign(progress, { transformedRows: transformed.inputRows, rejectedRows: transformed.rejectedRows, bytes: raw.bytes + transformed.processedBytes });
  // Deletes: the source's whole key set, read after the window so a row it has is never taken for deleted.
  const deletes = table.deletes === 'propagate' || table.deletes === 'soft' ? table.deletes : undefined;
  const sourceKeys = deletes ? await bulk.extractSourceKeys.executeWithOptions(summary('read source keys of'), [{ plan, keys: table.primaryKey, location, lake, limits: pipeline.duckdb }]) : undefined;
  const load = {
    ...loadInputOf({ pipeline, table, transformed, runId: input.runId }),
    // An http table's watermark is the greatest value its pages held (known only after the extract).
    watermark: raw.http?.watermark ?? plan.nextWatermark ?? plan.window?.to,
    sourceMark: plan.sourceMark,
    schemaChange: plan.schemaChange,
    ...(deletes && sourceKeys ? { deletes, sourceKeys: { bucket: sourceKeys.bucket, key: sourceKeys.key } } : {}),
    // A files table: the objects read are bookmarked in the load's transaction, so each is loaded exactly once.
    ...(raw.files ? { fileBookmarks: raw.files.bookmarks } : {}),
  };
  const { warehouse } = pipeline;
  await condition(() => (input.waitFor ?? []).every((name) => loadedDependencies.has(name)));
  await enter('load');
  const loaded =
    warehouse.type === 'redshift'
      ? await bulk.loadIntoRedshift.executeWithOptions(summary('load'), [{ ...load, warehouse }])
      : await bulk.loadIntoPostgres.executeWithOptions(summary('load'), [load]);
  reconcile(table.name, 'extracted = loaded + rejected', raw.rows, loaded.rows + transformed.rejectedRows);
  countRecords({ ...at, stage: 'load', rows: loaded.rows });
  const seconds = (Date.now() - started) / 1000;
  recordTableDuration({ ...at, seconds });
  Object.assign(progress, { stage: 'done', loadedRows: loaded.rows });
  const files = filesOutcome(raw, transformed);
  return {
    table: table.name,
    target: table.target,
    mode: table.mode,
    window: plan.window,
    sourceRows: files?.sourceRows ?? (raw.http ? raw.rows : plan.sourceRows),
    nullWatermark: plan.nullWatermark,
    extractedRows: files?.sourceRows ?? raw.rows,
    rejectedRows: files?.rejectedRows ?? transformed.rejectedRows,
    rejectedByRule: files?.rejectedByRule ?? transformed.rejectedByRule,
    loadedRows: loaded.rows,
    qualityScore: files?.qualityScore ?? transformed.qualityScore,
    keyChecksum: loaded.keyChecksum,
    rowChecksum: transformed.rowChecksum,
    columnChecksums: transformed.columnChecksums,
    bytes: { raw: raw.bytes, processed: transformed.processedBytes },
    seconds: { extract: raw.seconds, transform: transformed.seconds, load: loaded.seconds, total: seconds, verify: { transform: transformed.checksumSeconds ?? 0, load: loaded.verifySeconds ?? 0 } },
    uris: {
      raw: `s3://${raw.bucket}/${raw.prefix}`,
      processed: `s3://${transformed.processed.bucket}/${transformed.processed.prefix}`,
      rejected: transformed.rejected ? `s3://${transformed.rejected.bucket}/${transformed.rejected.key}` : undefined,
    },
    ...(plan.schemaChange ? { schemaChanges: plan.schemaChange.notes } : {}),
    ...(loaded.deletedRows !== undefined ? { deletedRows: loaded.deletedRows } : {}),
    ...(files ? { files: files.summary } : {}),
    ...(raw.http ? { http: raw.http } : {}),
    raw: { keys: rawKeys, columns: plan.columns },
  };
}
