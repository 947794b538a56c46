import { quoteIdent, quoteQualified } from '../../sql/quote';
import type { WarehouseDialect } from '../../sql/type-map';

/** What happens to warehouse rows whose key the source no longer has. */
export type DeletesPolicy = 'ignore' | 'propagate' | 'soft';

/** The temp table holding every key the source has now (staged beside the rows). */
export const SOURCE_KEYS_TABLE = 'etl_source_keys';
/** The columns a `deletes: soft` target carries: set when the source deleted the row, cleared when it returns. */
export const SOFT_DELETE_COLUMNS = { flag: 'is_deleted', at: 'deleted_at' } as const;
/** Marks the statement whose row count is the number of rows deleted or marked. */
export const DELETES_MARKER = '/* etl:deletes */';

interface DeletesSpec {
  dialect: WarehouseDialect;
  target: string;
  keys: readonly string[];
  deletes?: DeletesPolicy;
}

/** The soft-delete column definitions a target is created with. */
export function softDeleteColumns(dialect: WarehouseDialect): string[] {
  const timestamp = dialect === 'postgres' ? 'timestamp' : 'TIMESTAMP';
  return [`${quoteIdent(SOFT_DELETE_COLUMNS.flag)} BOOLEAN NOT NULL DEFAULT false`, `${quoteIdent(SOFT_DELETE_COLUMNS.at)} ${timestamp}`];
}

/** An empty key table shaped like the target's key columns; Postgres drops it at commit. */
export function createSourceKeysTable(spec: DeletesSpec): string {
  return createKeyTable(spec, SOURCE_KEYS_TABLE);
}

function createKeyTable(spec: Pick<DeletesSpec, 'dialect' | 'target' | 'keys'>, name: string): string {
  const onCommit = spec.dialect === 'postgres' ? ' ON COMMIT DROP' : '';
  return `CREATE TEMP TABLE ${name}${onCommit} AS SELECT ${spec.keys.map(quoteIdent).join(', ')} FROM ${quoteQualified(spec.target)} WHERE 1 = 0`;
}

/**
 * Target rows the source no longer has: their key is neither in the source's key set nor in this load's stage
 * (a row inserted after the key set was read is staged, and never taken for deleted).
 */
export function goneFromSource(spec: DeletesSpec, stage: string): string {
  const target = quoteQualified(spec.target);
  const match = (table: string) => spec.keys.map((key) => `${table}.${quoteIdent(key)} = ${target}.${quoteIdent(key)}`).join(' AND ');
  return `NOT EXISTS (SELECT 1 FROM ${SOURCE_KEYS_TABLE} k WHERE ${match('k')}) AND NOT EXISTS (SELECT 1 FROM ${stage} s WHERE ${match('s')})`;
}

/** The rollup groups of the rows about to be deleted or marked, added to a touched-groups table. */
export function collectDeletedGroups(spec: DeletesSpec & { stage: string; groupBy: readonly string[]; into: string }): string {
  return `INSERT INTO ${spec.into} SELECT DISTINCT ${qualifiedColumns(spec.target, spec.groupBy)} FROM ${quoteQualified(spec.target)} WHERE ${goneFromSource(spec, spec.stage)}`;
}

function qualifiedColumns(target: string, columns: readonly string[]): string {
  return columns.map((column) => `${quoteQualified(target)}.${quoteIdent(column)}`).join(', ');
}

/** Deletes (propagate) or marks (soft) the rows the source no longer has; none for `ignore`. */
export function applyDeletes(spec: DeletesSpec & { stage: string }): string[] {
  const target = quoteQualified(spec.target);
  const gone = goneFromSource(spec, spec.stage);
  if (spec.deletes === 'propagate') return [`${DELETES_MARKER} DELETE FROM ${target} WHERE ${gone}`];
  if (spec.deletes !== 'soft') return [];
  const flag = quoteIdent(SOFT_DELETE_COLUMNS.flag);
  return [`${DELETES_MARKER} UPDATE ${target} SET ${flag} = true, ${quoteIdent(SOFT_DELETE_COLUMNS.at)} = getdate() WHERE NOT ${flag} AND ${gone}`];
}

/** Adds the soft-delete columns to a Postgres target created before `deletes: soft` was set (no-op when present). */
export function addSoftDeleteColumns(target: string): string {
  const [flag, at] = softDeleteColumns('postgres');
  return `ALTER TABLE ${quoteQualified(target)} ADD COLUMN IF NOT EXISTS ${flag}, ADD COLUMN IF NOT EXISTS ${at}`;
}

/** The temp table holding the keys a reprocess withdraws: rows of its raw run the changed rules now reject. */
export const WITHDRAWN_KEYS_TABLE = 'etl_withdrawn_keys';
/** Marks the statement whose row count is the number of rows withdrawn. */
export const WITHDRAWN_MARKER = '/* etl:withdrawn */';

/** An empty withdrawn-keys table shaped like the target's key columns; Postgres drops it at commit. */
export function createWithdrawnKeysTable(spec: Pick<DeletesSpec, 'dialect' | 'target' | 'keys'>): string {
  return createKeyTable(spec, WITHDRAWN_KEYS_TABLE);
}

/** Target rows whose key is withdrawn and that this load did not stage again (a key accepted again stays). */
function withdrawnFromTarget(spec: Pick<DeletesSpec, 'target' | 'keys'>, stage: string): string {
  const target = quoteQualified(spec.target);
  const match = (table: string) => spec.keys.map((key) => `${table}.${quoteIdent(key)} = ${target}.${quoteIdent(key)}`).join(' AND ');
  return `EXISTS (SELECT 1 FROM ${WITHDRAWN_KEYS_TABLE} w WHERE ${match('w')}) AND NOT EXISTS (SELECT 1 FROM ${stage} s WHERE ${match('s')})`;
}

/** The rollup groups of the rows about to be withdrawn, added to a touched-groups table. */
export function collectWithdrawnGroups(spec: Pick<DeletesSpec, 'target' | 'keys'> & { stage: string; groupBy: readonly string[]; into: string }): string {
  return `INSERT INTO ${spec.into} SELECT DISTINCT ${qualifiedColumns(spec.target, spec.groupBy)} FROM ${quoteQualified(spec.target)} WHERE ${withdrawnFromTarget(spec, spec.stage)}`;
}

/**
 * Removes the withdrawn rows, whatever the table's `deletes`: a fresh run under the changed rules would never
 * have loaded them (a soft-delete mark would say the source deleted them, which it did not).
 */
export function applyWithdrawals(spec: Pick<DeletesSpec, 'target' | 'keys'> & { stage: string }): string {
  return `${WITHDRAWN_MARKER} DELETE FROM ${quoteQualified(spec.target)} WHERE ${withdrawnFromTarget(spec, spec.stage)}`;
}
