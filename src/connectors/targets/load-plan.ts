import type { LoadMode, Rollup } from '../../config/pipeline-schema';
import { keyChecksumSelect } from '../../sql/checksum';
import { columnChecksumSelect, rowChecksumSelect, type RowChecksumVersion } from '../../sql/column-checksum';
import { quoteIdent, quoteQualified } from '../../sql/quote';
import { selectRollup } from '../../sql/rollup';
import { applyDeletes, applyWithdrawals, collectDeletedGroups, collectWithdrawnGroups, softDeleteColumns, SOFT_DELETE_COLUMNS, type DeletesPolicy } from './deletes';
import { collectTouchedGroups, rebuildTouchedGroups, touchedGroupsTable } from './rollup-refresh';
import { warehouseType, type ColumnSpec, type WarehouseDialect } from '../../sql/warehouse-types';
import { forDialect, saveState } from './state-sql';
import type { SchemaChange } from './schema-change';

/**
 * The load plan both warehouses run (Redshift through the Data API, Postgres locally): stage the processed
 * rows, then in ONE transaction apply them by mode, rebuild touched rollup rows and save the watermark.
 * Values are literals, not parameters, because Redshift's BatchExecuteStatement takes no parameters; every
 * literal is quoted by the dialect's quoter (quote.ts: Redshift doubles backslashes) and every identifier by quoteIdent.
 */
export interface LoadPlanSpec {
  dialect: WarehouseDialect;
  pipeline: string;
  table: string;
  target: string;
  mode: LoadMode;
  keys: readonly string[];
  columns: readonly ColumnSpec[];
  rollups: readonly Rollup[];
  runId: string;
  /** The new watermark (the upper bound of the extracted window), saved in the same transaction. */
  watermark?: string;
  /** Decided in the plan step when the existing target's columns differ (onSchemaChange). */
  schemaChange?: SchemaChange;
  /** The source's identity and size when planned, saved with the watermark. */
  sourceMark?: SourceMark;
  /** Set when the source's key set is staged (etl_source_keys): rows it no longer has are deleted or marked. */
  deletes?: DeletesPolicy;
  /** The target carries is_deleted / deleted_at (`deletes: soft`), whether or not this load stages the source's keys. */
  softColumns?: boolean;
  /** Set when a reprocess's withdrawn keys are staged (etl_withdrawn_keys): those rows leave the target. */
  withdraw?: boolean;
  /** kind: files — the objects this load read, bookmarked with the rows. */
  fileBookmarks?: readonly { key: string; etag: string; rows: number }[];
  /** Target columns the warehouse's catalog declares NOT NULL (Postgres reads it in the load); rollup groups join on them by plain equality. */
  notNullColumns?: readonly string[];
}

/** A source table's identity (database and oid) and live-row estimate, as the plan step saw it. */
export interface SourceMark {
  id: string;
  rows: number;
}

export const STAGE_TABLE = 'etl_stage';

/** The warehouse type of a load column: its source type when passed through, else from its DuckDB type. */
export function targetColumnType(column: ColumnSpec, dialect: WarehouseDialect): string {
  return column.warehouse?.[dialect] ?? warehouseType({ dialect, duckdbType: column.type, column: column.name });
}

/** The target's columns declared NOT NULL ($1: the qualified name). */
export const SELECT_NOT_NULL_COLUMNS = 'SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND attnotnull AND NOT attisdropped';

/** The columns of an existing target, in order, as format_type prints them ($1: the qualified name). */
export const SELECT_TARGET_COLUMNS = `
SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

/** A `deletes: soft` target: its rows carry is_deleted and deleted_at, and its rollups count live rows only. */
function hasSoftColumns(spec: Pick<LoadPlanSpec, 'deletes' | 'softColumns'>): boolean {
  return spec.softColumns === true || spec.deletes === 'soft';
}

export function createTargetTable(spec: Pick<LoadPlanSpec, 'dialect' | 'target' | 'columns' | 'keys' | 'deletes' | 'softColumns'>): string[] {
  const [schema = ''] = spec.target.split('.');
  const columns = spec.columns.map((column) => {
    const type = targetColumnType(column, spec.dialect);
    return `${quoteIdent(column.name)} ${type}${spec.keys.includes(column.name) || column.notNull ? ' NOT NULL' : ''}`;
  });
  const primaryKey = `PRIMARY KEY (${spec.keys.map(quoteIdent).join(', ')})`;
  const soft = hasSoftColumns(spec) ? softDeleteColumns(spec.dialect) : [];
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`,
    `CREATE TABLE IF NOT EXISTS ${quoteQualified(spec.target)} (${[...columns, ...soft, primaryKey].join(', ')})`,
  ];
}

/** True when the load writes a different set of columns than the target has (columns kept or skipped). */
export function changesColumnSet(spec: Pick<LoadPlanSpec, 'schemaChange'>): boolean {
  return (spec.schemaChange?.keep.length ?? 0) > 0 || (spec.schemaChange?.skip.length ?? 0) > 0;
}

/**
 * A session-local staging table; Postgres drops it at commit. Shaped like the target, or, when the column
 * sets differ, like the processed files (Redshift's Parquet COPY matches columns by position), nullable.
 */
export function createStageTable(spec: Pick<LoadPlanSpec, 'dialect' | 'target' | 'columns' | 'schemaChange' | 'deletes' | 'softColumns'>): string {
  const suffix = spec.dialect === 'postgres' ? ' ON COMMIT DROP' : '';
  // A soft-delete target has columns the processed files do not: stage the files' columns only.
  if (!changesColumnSet(spec) && !hasSoftColumns(spec)) return `CREATE TEMP TABLE ${STAGE_TABLE} (LIKE ${quoteQualified(spec.target)})${suffix}`;
  const columns = spec.columns.map((column) => `${quoteIdent(column.name)} ${targetColumnType(column, spec.dialect)}`);
  return `CREATE TEMP TABLE ${STAGE_TABLE} (${columns.join(', ')})${suffix}`;
}

/** The statements that bring an existing target to the planned shape: new columns, widened types. */
export function alterTarget(spec: Pick<LoadPlanSpec, 'target' | 'schemaChange'>): string[] {
  const target = quoteQualified(spec.target);
  const change = spec.schemaChange;
  if (!change) return [];
  // One column per ALTER: Redshift's ADD COLUMN takes one.
  return [
    ...change.add.map((column) => `ALTER TABLE ${target} ADD COLUMN ${quoteIdent(column.name)} ${column.type}`),
    ...change.widen.map((column) => `ALTER TABLE ${target} ALTER COLUMN ${quoteIdent(column.name)} TYPE ${column.to}`),
  ];
}

/** The columns the load writes into the target: the processed ones, less those the policy skips. */
export function loadedColumns(spec: Pick<LoadPlanSpec, 'columns' | 'schemaChange'>): string[] {
  const skip = new Set(spec.schemaChange?.skip ?? []);
  return spec.columns.map((column) => column.name).filter((name) => !skip.has(name));
}

/** The processed columns the load writes (and so verifies): less those the schema-change policy skips. */
export function verifiedColumns(spec: Pick<LoadPlanSpec, 'columns' | 'schemaChange'>): ColumnSpec[] {
  const skip = new Set(spec.schemaChange?.skip ?? []);
  return spec.columns.filter((column) => !skip.has(column.name));
}

function keyJoin(keys: readonly string[], left: string, right: string): string {
  return keys.map((key) => `${left}.${quoteIdent(key)} = ${right}.${quoteIdent(key)}`).join(' AND ');
}

/**
 * Statistics on the key columns of the temp tables a Postgres merge joins by key: without them Postgres guesses a
 * fresh temp table's size and hashes the whole target instead of it. Only the keys are sampled (a wide stage's
 * other columns cost three times as much).
 */
export function analyzeKeyTables(input: { keys: readonly string[]; tables: readonly string[] }): string {
  const keyColumns = `(${input.keys.map(quoteIdent).join(', ')})`;
  return `ANALYZE ${input.tables.map((table) => `${table} ${keyColumns}`).join(', ')}`;
}

/** Per rollup, the groups this load touches (of staged, replaced, deleted and withdrawn rows), collected before the rows change. */
function collectAffected(spec: LoadPlanSpec): string[] {
  if (spec.mode === 'full-refresh') return [];
  return spec.rollups.flatMap((rollup, index) => {
    const into = touchedGroupsTable(index);
    const deleted = spec.deletes && spec.deletes !== 'ignore' ? [collectDeletedGroups({ ...spec, stage: STAGE_TABLE, groupBy: rollup.groupBy, into })] : [];
    const withdrawn = spec.withdraw ? [collectWithdrawnGroups({ ...spec, stage: STAGE_TABLE, groupBy: rollup.groupBy, into })] : [];
    // Postgres plans the rebuild's joins from the table's statistics; a fresh temp table has none.
    const analyze = spec.dialect === 'postgres' ? [`ANALYZE ${into}`] : [];
    return [collectTouchedGroups({ ...spec, rollup, index, stage: STAGE_TABLE, keyJoin: keyJoin(spec.keys, 't', 's') }), ...deleted, ...withdrawn, ...analyze];
  });
}

/**
 * When the target has columns the load does not write (the source dropped them), rows are updated in place
 * and new ones inserted, so those columns keep their values instead of becoming NULL; a full refresh also
 * deletes the rows the source no longer has.
 */
function applyKeepingColumns(spec: LoadPlanSpec): string[] {
  const target = quoteQualified(spec.target);
  const names = loadedColumns(spec);
  const columns = names.map(quoteIdent).join(', ');
  const set = names.filter((name) => !spec.keys.includes(name)).map((name) => `${quoteIdent(name)} = ${STAGE_TABLE}.${quoteIdent(name)}`);
  const update = set.length > 0 ? [`UPDATE ${target} SET ${set.join(', ')} FROM ${STAGE_TABLE} WHERE ${keyJoin(spec.keys, target, STAGE_TABLE)}`] : [];
  const missing = `NOT EXISTS (SELECT 1 FROM ${target} t WHERE ${keyJoin(spec.keys, 't', STAGE_TABLE)})`;
  const insert = `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${STAGE_TABLE} WHERE ${missing}`;
  const gone = `NOT EXISTS (SELECT 1 FROM ${STAGE_TABLE} s WHERE ${keyJoin(spec.keys, 's', target)})`;
  const prune = spec.mode === 'full-refresh' ? [`DELETE FROM ${target} WHERE ${gone}`] : [];
  return [...prune, ...update, insert];
}

function applyRows(spec: LoadPlanSpec): string[] {
  if ((spec.schemaChange?.keep.length ?? 0) > 0) return applyKeepingColumns(spec);
  const target = quoteQualified(spec.target);
  const columns = loadedColumns(spec).map(quoteIdent).join(', ');
  const insert = `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${STAGE_TABLE}`;
  // TRUNCATE would commit the transaction on Redshift, so a full refresh deletes instead.
  if (spec.mode === 'full-refresh') return [`DELETE FROM ${target}`, insert];
  return [`DELETE FROM ${target} USING ${STAGE_TABLE} WHERE ${keyJoin(spec.keys, target, STAGE_TABLE)}`, insert];
}

/** Creates a rollup table from its own query's shape when it does not exist yet. */
export function createRollupTable(input: { rollup: Rollup; source: string; dialect: WarehouseDialect }): string[] {
  const [schema = ''] = input.rollup.target.split('.');
  const shape = selectRollup({ rollup: input.rollup, from: quoteQualified(input.source), where: '1 = 0' });
  const ifNotExists = input.dialect === 'postgres' ? 'IF NOT EXISTS ' : '';
  return [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`, `CREATE TABLE ${ifNotExists}${quoteQualified(input.rollup.target)} AS ${shape}`];
}

function refreshRollups(spec: LoadPlanSpec, everything: boolean): string[] {
  // Rows a soft delete marked are no longer counted.
  const live = hasSoftColumns(spec) ? `NOT ${quoteIdent(SOFT_DELETE_COLUMNS.flag)}` : undefined;
  return spec.rollups.flatMap((rollup, index) => {
    if (!everything) return rebuildTouchedGroups({ ...spec, rollup, index, live });
    const target = quoteQualified(rollup.target);
    return [`DELETE FROM ${target}`, `INSERT INTO ${target} ${selectRollup({ rollup, from: quoteQualified(spec.target), where: live })}`];
  });
}

/** Everything after the stage is filled, in order; run inside one transaction. */
export function applyStagedRows(spec: LoadPlanSpec): string[] {
  const deletes = applyDeletes({ ...spec, stage: STAGE_TABLE });
  const withdrawals = spec.withdraw && spec.mode !== 'full-refresh' ? [applyWithdrawals({ ...spec, stage: STAGE_TABLE })] : [];
  const statements = [...collectAffected(spec), ...applyRows(spec), ...deletes, ...withdrawals, ...refreshRollups(spec, spec.mode === 'full-refresh'), ...saveState(spec, { countFrom: STAGE_TABLE })];
  return forDialect(spec, statements);
}

/**
 * The initial-load fast path: when the target was empty, rows are copied straight into it (no stage, no
 * delete, no second write); then the rollups are built whole (unless the caller copied them in already) and
 * the state saved, in the same transaction. `rows` is the count the load expects: the caller checks the
 * target holds exactly that many before it commits, so it is recorded without counting the table again.
 */
export function finishDirectLoad(spec: LoadPlanSpec & { rebuildRollups?: boolean; rows: number }): string[] {
  const rollups = spec.rebuildRollups === false ? [] : refreshRollups(spec, true);
  return forDialect(spec, [...rollups, ...saveState(spec, { known: spec.rows })]);
}

/**
 * Around a direct load into an empty Postgres table: drop the primary key, COPY, add it back. Building the
 * index once by sorting is several times faster than maintaining it row by row; duplicates still fail.
 */
export function dropPrimaryKey(input: { target: string; constraint: string }): string {
  return `ALTER TABLE ${quoteQualified(input.target)} DROP CONSTRAINT ${quoteIdent(input.constraint)}`;
}

export function addPrimaryKey(input: { target: string; constraint: string; keys: readonly string[] }): string {
  return `ALTER TABLE ${quoteQualified(input.target)} ADD CONSTRAINT ${quoteIdent(input.constraint)} PRIMARY KEY (${input.keys.map(quoteIdent).join(', ')})`;
}

/** The name of the target's primary-key constraint, if it has one ($1: the qualified table name). */
export const SELECT_PRIMARY_KEY_NAME = "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'p'";

/** True when the target holds no rows (the fast path applies). */
export function selectTargetIsEmpty(spec: Pick<LoadPlanSpec, 'target'>): string {
  return `SELECT NOT EXISTS (SELECT 1 FROM ${quoteQualified(spec.target)}) AS empty`;
}

/** Count and key checksum of the target rows matching the staged keys, after the apply step. */
export function selectLoadedChecksum(spec: Pick<LoadPlanSpec, 'dialect' | 'target' | 'keys'>): string {
  const target = quoteQualified(spec.target);
  const checksum = keyChecksumSelect({ dialect: spec.dialect, keys: spec.keys, alias: 't' });
  return `SELECT ${checksum} FROM ${target} t JOIN ${STAGE_TABLE} s ON ${keyJoin(spec.keys, 't', 's')}`;
}

/**
 * Per-column checksums (c_0, c_1, … in `columns` order), or with `perRow` the one row checksum in that form, of the rows this load wrote: the whole target after a
 * direct load, the target rows matching the staged keys after a merge. Read from the target itself, inside the
 * load's transaction, so a trigger, a default or a type conversion that changed a value is seen. `withKeys`
 * adds their count and key checksum (row_count, key_checksum) to the same read: one pass over the rows.
 */
export function selectColumnChecksums(spec: Pick<LoadPlanSpec, 'dialect' | 'target' | 'keys' | 'columns' | 'schemaChange'> & { scope: 'target' | 'loaded'; perRow?: RowChecksumVersion; withKeys?: boolean }): string {
  const checksumSpec = { dialect: spec.dialect, keys: spec.keys, columns: verifiedColumns(spec), alias: 't' };
  const content = spec.perRow ? rowChecksumSelect({ ...checksumSpec, version: spec.perRow }) : columnChecksumSelect(checksumSpec);
  const select = spec.withKeys ? `${keyChecksumSelect({ dialect: spec.dialect, keys: spec.keys, alias: 't' })}, ${content}` : content;
  const from = `${quoteQualified(spec.target)} t`;
  if (spec.scope === 'target') return `SELECT ${select} FROM ${from}`;
  return `SELECT ${select} FROM ${from} JOIN ${STAGE_TABLE} s ON ${keyJoin(spec.keys, 't', 's')}`;
}

/** Session settings of a Postgres load: dates and times render in ISO form, in UTC, as DuckDB renders them; intervals as ISO 8601, as the extract reads them. */
export const LOAD_SESSION_SETTINGS = ["SET LOCAL TimeZone = 'UTC'", "SET LOCAL DateStyle = 'ISO, YMD'", "SET LOCAL IntervalStyle = 'iso_8601'"];
