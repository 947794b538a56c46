import { keySetSelect } from '../../../sql/key-set';
import { quoteIdent, quoteLiteral, quoteQualified } from '../../../sql/quote';
import { extractExpression, unrepresentablePredicate, UNREPRESENTABLE_COLUMN, type SourceColumn } from '../../../sql/type-map';

/**
 * The extract window: on the watermark column (from, to], no `from` meaning from the beginning; or, for a
 * `window: interval` table, on its event-time column [from, to) with instants as bounds.
 */
export interface ExtractWindow {
  column: string;
  from?: string;
  to: string;
  /** Set for an interval window: the column's type and the zone its date or timestamp values are read in. */
  interval?: { pgType: string; timeZone: string };
}

/** An instant as a bound for a column: itself for timestamptz, else its wall time (or day) in the interval's zone. */
function intervalBound(instant: string, interval: NonNullable<ExtractWindow['interval']>): string {
  const value = `CAST(${quoteLiteral(instant)} AS timestamptz)`;
  if (/^timestamp(\(\d\))? with time zone$/.test(interval.pgType)) return value;
  // pgType comes from the catalog (checked to be a date or timestamp); the zone from the validated pipeline.
  return `CAST((${value} AT TIME ZONE ${quoteLiteral(interval.timeZone)}) AS ${interval.pgType})`;
}

/** The predicate of a window: (from, to] on a watermark plus its NULLs, [from, to) on an interval's event time. */
function windowPredicate(window: ExtractWindow | undefined): string[] {
  if (!window) return [];
  const column = quoteIdent(window.column);
  // A row whose watermark (or event time) is NULL is in no range: every window reads it, and the table's
  // `nullWatermark` merges it by key or rejects it as null_watermark.
  if (window.interval) {
    const lower = window.from === undefined ? [] : [`${column} >= ${intervalBound(window.from, window.interval)}`];
    return [`(${[...lower, `${column} < ${intervalBound(window.to, window.interval)}`].join(' AND ')} OR ${column} IS NULL)`];
  }
  const lower = window.from === undefined ? [] : [`${column} > ${quoteLiteral(window.from)}`];
  return [`(${[...lower, `${column} <= ${quoteLiteral(window.to)}`].join(' AND ')} OR ${column} IS NULL)`];
}

/** Rows in an interval window (NULL event times included) and how many of them have a NULL event time, in one pass. */
export function selectWindowCount(input: { source: string; window: ExtractWindow }): string {
  const nulls = `count(*) FILTER (WHERE ${quoteIdent(input.window.column)} IS NULL)::bigint AS null_rows`;
  return `SELECT count(*)::bigint AS row_count, ${nulls} FROM ${quoteQualified(input.source)} WHERE ${windowPredicate(input.window).join(' AND ')}`;
}

/**
 * Columns of a table in order, and their 1-based position in its primary key (0: not a key column); $1 is
 * the schema-qualified name as text. pg_index.indkey is an int2vector, whose subscripts start at 0.
 */
export const SELECT_TABLE_CATALOG = `
SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS pg_type, a.attnotnull AS not_null,
       coalesce(array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1) + 1, 0) AS key_position
FROM pg_attribute a
LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

export const SELECT_TABLE_EXISTS = 'SELECT to_regclass($1) IS NOT NULL AS present';


/**
 * Row count (NULL watermarks included: they are in every window), how many of them have a NULL watermark, and
 * the upper bound of the window that starts after `from`. A window that looks back before the saved watermark
 * (`atLeast`) never ends before it, so the watermark never moves backwards. A first window is one pass over the
 * table; a later one counts the range and the NULLs apart, each an index range on the watermark column (one
 * `> from OR IS NULL` filter made Postgres read a 12.5M-row index whole, 10 s instead of 60 ms), and the NULL
 * count of a NOT NULL column costs nothing.
 */
export function selectWindowBounds(input: { source: string; column: string; from?: string; atLeast?: string }): string {
  const column = quoteIdent(input.column);
  const source = quoteQualified(input.source);
  const upper = (high: string) => (input.atLeast === undefined ? high : `greatest(${high}, ${quoteLiteral(input.atLeast)})`);
  if (input.from === undefined) {
    const nulls = `count(*) FILTER (WHERE ${column} IS NULL)::bigint AS null_rows`;
    return `SELECT count(*)::bigint AS row_count, ${nulls}, ${upper(`max(${column})`)}::text AS upper_bound FROM ${source}`;
  }
  const range = `(SELECT count(*)::bigint AS n, max(${column}) AS high FROM ${source} WHERE ${column} > ${quoteLiteral(input.from)}) w`;
  const nulls = `(SELECT count(*)::bigint AS n FROM ${source} WHERE ${column} IS NULL) z`;
  return `SELECT w.n + z.n AS row_count, z.n AS null_rows, ${upper('w.high')}::text AS upper_bound FROM ${range}, ${nulls}`;
}

/**
 * The start of a window that looks back from the saved watermark ($1) by `lookback` ($2): an interval for
 * dates and timestamps, a number for integer watermarks. `pgType` comes from the catalog, never from a user.
 */
export function selectLookbackStart(input: { pgType: string }): string {
  return `SELECT (CAST($1 AS ${input.pgType}) - CAST($2 AS ${lookbackType(input.pgType)}))::text AS start`;
}

/** What a lookback is measured in for a watermark column type. */
export function lookbackType(pgType: string): string {
  return /^(date|timestamp)/.test(pgType) ? 'interval' : pgType;
}

/** Fails (SQLSTATE 22…) unless the lookback ($1) reads as the measure of this watermark type. */
export function selectLookbackCheck(input: { pgType: string }): string {
  return `SELECT CAST($1 AS ${lookbackType(input.pgType)}) AS lookback`;
}

/** The lowest and highest value of a single-column integer key, from the ends of its index. */
export function selectKeyRange(input: { source: string; column: string }): string {
  const column = quoteIdent(input.column);
  return `SELECT min(${column})::text AS low, max(${column})::text AS high FROM ${quoteQualified(input.source)}`;
}

export function selectRowCount(input: { source: string }): string {
  return `SELECT count(*)::bigint AS row_count FROM ${quoteQualified(input.source)}`;
}

/** A part of an extract along the source primary key: keys in (after, upTo]; no bound means open. */
export interface PartBounds {
  after?: readonly string[];
  upTo?: readonly string[];
}

function partPredicates(input: { window?: ExtractWindow; chunkKey: readonly string[] } & PartBounds): string {
  const keys = `(${input.chunkKey.map(quoteIdent).join(', ')})`;
  const tuple = (values: readonly string[]) => `(${values.map(quoteLiteral).join(', ')})`;
  const after = input.after ? [`${keys} > ${tuple(input.after)}`] : [];
  const upTo = input.upTo ? [`${keys} <= ${tuple(input.upTo)}`] : [];
  const predicates = [...windowPredicate(input.window), ...after, ...upTo];
  return predicates.length > 0 ? ` WHERE ${predicates.join(' AND ')}` : '';
}

/**
 * The last key of the next part: the `partRows`-th key after `after` in the window, as text; no row means
 * fewer rows remain and the next part is the last. Fixing a part's end before copying it lets the next
 * part's COPY start while this one is still being converted and uploaded.
 */
export function selectPartEnd(input: { source: string; window?: ExtractWindow; chunkKey: readonly string[]; after?: readonly string[]; partRows: number }): string {
  const keys = input.chunkKey.map(quoteIdent);
  const offset = Math.max(0, Math.trunc(input.partRows) - 1);
  return `SELECT ${keys.map((key) => `${key}::text`).join(', ')} FROM ${quoteQualified(input.source)}${partPredicates(input)} ORDER BY ${keys.join(', ')} LIMIT 1 OFFSET ${offset}`;
}

/**
 * One part of an extract as CSV: the window, then the part's key range on the source primary key so a
 * crashed extract resumes after the last part it uploaded. Values are literals because COPY takes no
 * parameters; they come from Postgres' own text output, so they round-trip exactly.
 */
export function copyPartToStdout(input: { source: string; columns: readonly SourceColumn[]; window?: ExtractWindow; chunkKey: readonly string[] } & PartBounds): string {
  // No ORDER BY: the key range alone defines the part, so Postgres may scan it in whatever order is cheapest.
  return `COPY (SELECT ${selectExtractColumns(input.columns)} FROM ${quoteQualified(input.source)}${partPredicates(input)}) TO STDOUT WITH (FORMAT csv)`;
}

/**
 * The extract's select list: each column as the type map reads it; a column that can hold a value no engine
 * downstream represents is NULL there, and a last column names the first such column of the row, so the
 * transform rejects the row as unrepresentable_value instead of a parse error failing the table.
 */
export function selectExtractColumns(columns: readonly SourceColumn[]): string {
  const risky: string[] = [];
  const list = columns.map((column) => {
    const quoted = quoteIdent(column.name);
    const predicate = unrepresentablePredicate(column, quoted);
    if (!predicate) return extractExpression(column, quoted);
    risky.push(`WHEN ${predicate} THEN ${quoteLiteral(column.name)}`);
    return `CASE WHEN ${predicate} THEN NULL ELSE ${extractExpression(column, quoted)} END`;
  });
  if (risky.length > 0) list.push(`CASE ${risky.join(' ')} END AS ${quoteIdent(UNREPRESENTABLE_COLUMN)}`);
  return list.join(', ');
}

/**
 * The widest value of each numeric column that needs measuring, in the window: digits before the point and
 * after it, NaN and ±Infinity left out (they are rejected row by row). One aggregate over the window.
 */
export function selectNumericMeasure(input: { source: string; columns: readonly string[]; window?: ExtractWindow }): string {
  const measures = input.columns.flatMap((name, index) => {
    const column = quoteIdent(name);
    const finite = `FILTER (WHERE ${column} NOT IN ('NaN', 'Infinity', '-Infinity'))`;
    return [
      `coalesce(length(trunc(max(abs(${column})) ${finite})::text), 0) AS i${index}`,
      `coalesce(max(scale(${column})) ${finite}, 0) AS s${index}`,
    ];
  });
  const predicates = windowPredicate(input.window);
  const where = predicates.length > 0 ? ` WHERE ${predicates.join(' AND ')}` : '';
  return `SELECT ${measures.join(', ')} FROM ${quoteQualified(input.source)}${where}`;
}

/** Session settings that make COPY's text output unambiguous for DuckDB: ISO dates, UTC, exact floats. */
export const EXTRACT_SESSION_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  'SET LOCAL extra_float_digits = 3',
  "SET LOCAL bytea_output = 'hex'",
  // Intervals travel as ISO 8601 text (P1Y2M3DT4H5M6S): exact, and Postgres reads it back as an interval.
  "SET LOCAL IntervalStyle = 'iso_8601'",
];

/**
 * The keys (one column, or every column of a composite key) as text CSV: a key set for reference checks, read
 * as they are (a check asks `IN` or `EXISTS`, which a repeated key does not change, and a target's primary key
 * holds each once: de-duplicating 2.5M keys cost twice the read). `with` adds a lookup's columns, and a lookup
 * joins on its key set, so those rows are distinct.
 */
export function copyKeysToStdout(input: { source: string; columns: readonly string[]; with?: readonly SourceColumn[] }): string {
  const { select, where } = keySetSelect({ keys: input.columns, cast: (column) => `${column}::text` });
  const looked = input.with && input.with.length > 0 ? [selectExtractColumns(input.with)] : [];
  const distinct = looked.length > 0 ? 'DISTINCT ' : '';
  return `COPY (SELECT ${distinct}${[select, ...looked].join(', ')} FROM ${quoteQualified(input.source)} WHERE ${where}) TO STDOUT WITH (FORMAT csv)`;
}

/**
 * The table's identity and size as the catalog sees it ($1: the qualified name): its oid (a dropped and
 * re-created table gets a new one) and the live-row estimate the statistics keep (no scan).
 */
export const SELECT_SOURCE_IDENTITY = `
SELECT c.oid::text AS id, greatest(coalesce(s.n_live_tup, 0), 0)::bigint AS live_rows
FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE c.oid = to_regclass($1)`;

/** The highest watermark value in the whole table, as text (NULL for an empty table). */
export function selectMaxWatermark(input: { source: string; column: string }): string {
  return `SELECT max(${quoteIdent(input.column)})::text AS high FROM ${quoteQualified(input.source)}`;
}
