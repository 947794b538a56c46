import { columnChecksumAlias } from '../../../sql/column-checksum';
import { quoteLiteral } from '../../../sql/quote';
import { selectColumnChecksums, verifiedColumns, type LoadPlanSpec } from '../load-plan';

/** Marks the per-column guards; the indices after it are positions in the load's `columns`. */
export const COLUMNS_MARKER = 'etl:reconcile:columns';

/**
 * BatchExecuteStatement takes at most 40 SQL statements (Redshift Data API Reference, "BatchExecuteStatement",
 * Sqls: "Maximum number of 40 items"), so the column guards share what the rest of the batch leaves.
 */
export const MAX_BATCH_STATEMENTS = 40;

const CHECKS_TABLE = 'etl_column_checks';

/** Splits column indices into at most `groups` runs of near-equal length, in order. */
function groupIndices(count: number, groups: number): number[][] {
  const size = Math.ceil(count / Math.max(1, groups));
  const indices = Array.from({ length: count }, (_, index) => index);
  return Array.from({ length: Math.ceil(count / size) }, (_, group) => indices.slice(group * size, (group + 1) * size));
}

/** One guard over some columns: it fails the transaction (division by zero) unless each checksum is the expected one. */
function columnGuard(indices: readonly number[], expected: readonly string[]): string {
  const matches = indices.map((index) => `${columnChecksumAlias(index)} = ${quoteLiteral(expected[index] ?? '')}`).join(' AND ');
  const first = columnChecksumAlias(indices[0] ?? 0);
  // length(c) - length(c) is 0 only at run time, so the planner cannot fold the failing branch away.
  return `/* ${COLUMNS_MARKER}:${indices.join(',')} */ SELECT CASE WHEN ${matches} THEN 1 ELSE 1 / (length(${first}) - length(${first})) END AS reconciled FROM ${CHECKS_TABLE}`;
}

/**
 * The per-column content guard of a load batch: the checksums of the rows the batch wrote, read back from the
 * target into a one-row temp table, then guards that abort the transaction on a mismatch. Each guard covers
 * one column when the batch has room (at most `room` guards), so a failure names the column.
 */
export function buildColumnGuards(input: { spec: LoadPlanSpec; expected: Record<string, string>; room: number }): string[] {
  const { spec } = input;
  const onCommit = spec.dialect === 'postgres' ? ' ON COMMIT DROP' : '';
  // Guard indices are positions in verifiedColumns(spec): the columns the load writes.
  const expected = verifiedColumns(spec).map((column) => input.expected[column.name] ?? '');
  const groups = groupIndices(expected.length, Math.max(1, input.room - 1));
  return [
    `CREATE TEMP TABLE ${CHECKS_TABLE}${onCommit} AS ${selectColumnChecksums({ ...spec, scope: 'loaded' })}`,
    ...groups.map((indices) => columnGuard(indices, expected)),
  ];
}

/** The column indices a failed guard covered, or undefined when the SQL is not a column guard. */
export function guardedColumnsOf(sql: string | undefined): number[] | undefined {
  const match = new RegExp(`/\\* ${COLUMNS_MARKER}:([\\d,]+) \\*/`).exec(sql ?? '');
  return match?.[1]?.split(',').map(Number);
}
