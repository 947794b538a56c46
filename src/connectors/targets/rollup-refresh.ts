import type { Rollup } from '../../config/pipeline-schema';
import { categoryOf } from '../../sql/column-checksum';
import { quoteIdent, quoteQualified } from '../../sql/quote';
import { selectRollup } from '../../sql/rollup';
import type { TypeCategory } from '../../sql/type-map';
import { warehouseType, type ColumnSpec, type WarehouseDialect } from '../../sql/warehouse-types';

/** The temp table of the groups of the i-th rollup that this load touches. */
export function touchedGroupsTable(index: number): string {
  return `etl_touched_${index}`;
}

/** A value of each category that stands in for NULL in a hashable join (the NULL flags tell it from a real one). */
const STAND_IN: Partial<Record<TypeCategory, string>> = {
  integer: '0', decimal: '0', float: '0', text: '', boolean: 'false', date: '2000-01-01', timestamp: '2000-01-01 00:00:00',
  timestamptz: '2000-01-01 00:00:00+00', time: '00:00:00', uuid: '00000000-0000-0000-0000-000000000000',
};

interface GroupSpec {
  dialect: WarehouseDialect;
  columns: readonly ColumnSpec[];
  /** Target columns the warehouse declares NOT NULL (read from its catalog): plain equality suffices. */
  notNullColumns?: readonly string[];
}

/** NULL's stand-in for a column as a typed literal; undefined when its category has none (then compared as text). */
function standInFor(spec: GroupSpec, column: ColumnSpec | undefined): string | undefined {
  const literal = column ? STAND_IN[categoryOf(column)] : undefined;
  if (!column || literal === undefined) return undefined;
  return `CAST('${literal}' AS ${column.warehouse?.[spec.dialect] ?? warehouseType({ dialect: spec.dialect, duckdbType: column.type, column: column.name })})`;
}

/**
 * `a.c` equals `b.c`, NULL equal to NULL, as a join both warehouses can hash (IS NOT DISTINCT FROM is a
 * nested loop in Postgres and absent in Redshift): the values with a typed stand-in for NULL, and their NULL flags.
 */
function sameGroupValue(spec: GroupSpec, column: string, left: string, right: string): string {
  const a = `${left}.${quoteIdent(column)}`;
  const b = `${right}.${quoteIdent(column)}`;
  // Only the catalog's NOT NULL counts: a target loaded before a column's rows became NOT NULL may still hold NULL groups.
  if (spec.notNullColumns?.includes(column)) return `${a} = ${b}`;
  const standIn = standInFor(spec, spec.columns.find((candidate) => candidate.name === column));
  const text = spec.dialect === 'postgres' ? 'text' : 'VARCHAR(65535)';
  const coalesced = (ref: string) => (standIn ? `coalesce(${ref}, ${standIn})` : `coalesce(CAST(${ref} AS ${text}), '')`);
  return `${coalesced(a)} = ${coalesced(b)} AND (${a} IS NULL) = (${b} IS NULL)`;
}

function sameGroup(spec: GroupSpec & { rollup: Rollup }, left: string, right: string): string {
  return spec.rollup.groupBy.map((column) => sameGroupValue(spec, column, left, right)).join(' AND ');
}

/**
 * The groups of a rollup this load touches, before the rows change: those of the staged rows and of the
 * target rows they replace. Deleted and withdrawn rows add theirs (see deletes.ts) before they go.
 */
export function collectTouchedGroups(spec: GroupSpec & { rollup: Rollup; index: number; target: string; stage: string; keyJoin: string }): string {
  const groups = spec.rollup.groupBy.map(quoteIdent);
  const table = touchedGroupsTable(spec.index);
  // A pooled Postgres session outlives the load: drop at commit. Redshift's Data API session ends with the batch.
  const onCommit = spec.dialect === 'postgres' ? ' ON COMMIT DROP' : '';
  const fromTarget = `SELECT DISTINCT ${groups.map((group) => `t.${group}`).join(', ')} FROM ${quoteQualified(spec.target)} t JOIN ${spec.stage} s ON ${spec.keyJoin}`;
  return `CREATE TEMP TABLE ${table}${onCommit} AS SELECT DISTINCT ${groups.join(', ')} FROM ${spec.stage} UNION ${fromTarget}`;
}

/**
 * Rebuilds exactly the touched groups of a rollup from the target: deletes their rows and aggregates them
 * again (a semi-join, so a group listed twice counts once). `live` filters soft-deleted rows out.
 */
export function rebuildTouchedGroups(spec: GroupSpec & { rollup: Rollup; index: number; target: string; live?: string }): string[] {
  const rollup = quoteQualified(spec.rollup.target);
  const table = touchedGroupsTable(spec.index);
  const target = quoteQualified(spec.target);
  const touched = (alias: string) => `EXISTS (SELECT 1 FROM ${table} g WHERE ${sameGroup(spec, alias, 'g')})`;
  const where = spec.live ? `${touched(target)} AND ${spec.live}` : touched(target);
  return [`DELETE FROM ${rollup} WHERE ${touched(rollup)}`, `INSERT INTO ${rollup} ${selectRollup({ rollup: spec.rollup, from: target, where })}`];
}
