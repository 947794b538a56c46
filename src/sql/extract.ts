import { quoteIdent, quoteLiteral, quoteQualified } from './quote';
import type { SourceColumn } from './pg-types';

/** The extract window on the watermark column: (from, to]; no `from` means from the beginning. */
export interface ExtractWindow {
  column: string;
  from?: string;
  to: string;
}

/** Columns of a table in order, and its primary key; $1 is the schema-qualified name as text. */
export const SELECT_TABLE_CATALOG = `
SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS pg_type,
       coalesce(array_position(i.indkey::int2[], a.attnum), 0) AS key_position
FROM pg_attribute a
LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

export const SELECT_TABLE_EXISTS = 'SELECT to_regclass($1) IS NOT NULL AS present';

function windowPredicate(window: ExtractWindow | undefined): string[] {
  if (!window) return [];
  const column = quoteIdent(window.column);
  const lower = window.from === undefined ? [] : [`${column} > ${quoteLiteral(window.from)}`];
  return [...lower, `${column} <= ${quoteLiteral(window.to)}`];
}

/** Row count and upper bound of the window that starts after `from`, in one pass. */
export function selectWindowBounds(input: { source: string; column: string; from?: string }): string {
  const column = quoteIdent(input.column);
  const where = input.from === undefined ? '' : ` WHERE ${column} > ${quoteLiteral(input.from)}`;
  return `SELECT count(*)::bigint AS row_count, max(${column})::text AS upper_bound FROM ${quoteQualified(input.source)}${where}`;
}

export function selectRowCount(input: { source: string }): string {
  return `SELECT count(*)::bigint AS row_count FROM ${quoteQualified(input.source)}`;
}

/**
 * One part of an extract as CSV: the window, then keyset pagination on the source primary key so a
 * crashed extract resumes after the last key it uploaded. Values are literals because COPY takes no
 * parameters; they come from Postgres' own text output, so they round-trip exactly.
 */
export function copyPartToStdout(input: {
  source: string;
  columns: readonly SourceColumn[];
  window?: ExtractWindow;
  chunkKey: readonly string[];
  after?: readonly string[];
  limit?: number;
}): string {
  const keys = input.chunkKey.map(quoteIdent);
  const after = input.after ? [`(${keys.join(', ')}) > (${input.after.map(quoteLiteral).join(', ')})`] : [];
  const predicates = [...windowPredicate(input.window), ...after];
  const where = predicates.length > 0 ? ` WHERE ${predicates.join(' AND ')}` : '';
  const order = keys.length > 0 ? ` ORDER BY ${keys.join(', ')}` : '';
  const limit = input.limit === undefined ? '' : ` LIMIT ${Math.trunc(input.limit)}`;
  const columns = input.columns.map((column) => quoteIdent(column.name)).join(', ');
  return `COPY (SELECT ${columns} FROM ${quoteQualified(input.source)}${where}${order}${limit}) TO STDOUT WITH (FORMAT csv)`;
}

/** Session settings that make COPY's text output unambiguous for DuckDB: ISO dates, UTC, exact floats. */
export const EXTRACT_SESSION_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  'SET LOCAL extra_float_digits = 3',
  "SET LOCAL bytea_output = 'hex'",
];

/** The distinct non-null values of one column as text CSV (a key set for reference checks). */
export function copyDistinctKeysToStdout(input: { source: string; column: string }): string {
  const column = quoteIdent(input.column);
  return `COPY (SELECT DISTINCT ${column}::text AS etl_key FROM ${quoteQualified(input.source)} WHERE ${column} IS NOT NULL) TO STDOUT WITH (FORMAT csv)`;
}
