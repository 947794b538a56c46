import { keyText, type ChecksumDialect } from './checksum';
import { quoteIdent } from './quote';
import type { TypeCategory } from './type-map';
import type { ColumnSpec } from './warehouse-types';

/** How a value is rendered as canonical text for the checksums: the type map's categories. */
export type ValueCategory = TypeCategory;

/** For a column without a category (derived in the transform): DuckDB type → category; the first match wins. */
const CATEGORY_OF: readonly [RegExp, ValueCategory][] = [
  [/^(U?TINYINT|U?SMALLINT|U?INTEGER|U?BIGINT|U?HUGEINT)$/, 'integer'],
  [/^DECIMAL\(\d+,\s*\d+\)$/, 'decimal'],
  [/^(FLOAT|DOUBLE|REAL)$/, 'float'],
  [/^VARCHAR$/, 'text'],
  [/^BOOLEAN$/, 'boolean'],
  [/^DATE$/, 'date'],
  [/^TIMESTAMP$/, 'timestamp'],
  [/^TIMESTAMP WITH TIME ZONE$/, 'timestamptz'],
  [/^TIME$/, 'time'],
  [/^UUID$/, 'uuid'],
  [/^JSON$/, 'json'],
  [/^BLOB$/, 'bytes'],
  [/^INTERVAL$/, 'interval'],
];

const TEXT: Record<ChecksumDialect, string> = { duckdb: 'VARCHAR', postgres: 'text', redshift: 'VARCHAR(65535)' };
const DOUBLE: Record<ChecksumDialect, string> = { duckdb: 'DOUBLE', postgres: 'float8', redshift: 'FLOAT8' };

const castText = (value: string, dialect: ChecksumDialect) => `CAST(${value} AS ${TEXT[dialect]})`;

/** A float as 17 significant digits (round-trip exact), specials spelled out; -0 renders as 0. */
function renderFloat(value: string, dialect: ChecksumDialect): string | undefined {
  const double = `CAST(${value} AS ${DOUBLE[dialect]})`;
  const special = (word: string) => `${double} = CAST('${word}' AS ${DOUBLE[dialect]})`;
  // Both engines print through C's correctly rounded %e; Postgres pads a positive sign with a space.
  const digits = dialect === 'duckdb' ? `printf('%.16e', ${double})` : dialect === 'postgres' ? `ltrim(to_char(${double}, '9.9999999999999999EEEE'))` : undefined;
  if (!digits) return undefined; // Redshift's TO_CHAR has no EEEE: see README, "The load guards"
  return `CASE WHEN ${special('NaN')} THEN 'NaN' WHEN ${special('Infinity')} THEN 'Infinity' WHEN ${special('-Infinity')} THEN '-Infinity' WHEN ${double} = 0 THEN '0' ELSE ${digits} END`;
}

/**
 * Canonical text of a non-NULL value per category and dialect, equal in every engine for equal values
 * (dates and times in ISO form: the load session sets DateStyle ISO and TimeZone UTC, as DuckDB's does).
 * `undefined`: the dialect cannot render it comparably, so only the value's NULL-ness is checked.
 */
const RENDER: Record<ValueCategory, (value: string, dialect: ChecksumDialect) => string | undefined> = {
  integer: castText,
  decimal: castText,
  float: renderFloat,
  text: (value) => value,
  boolean: (value) => `CASE WHEN ${value} THEN 't' ELSE 'f' END`,
  date: castText,
  timestamp: castText,
  // DuckDB renders a TIMESTAMPTZ through ICU, three times slower than the same instant as a plain TIMESTAMP.
  timestamptz: (value, dialect) => (dialect === 'duckdb' ? `(CAST(make_timestamp(epoch_us(${value})) AS VARCHAR) || '+00')` : castText(value, dialect)),
  time: castText,
  uuid: (value, dialect) => `lower(${castText(value, dialect)})`,
  // timetz and interval travel as Postgres' own text (VARCHAR in DuckDB): the warehouse renders them back alike.
  timetz: castText,
  interval: castText,
  // Hex, lower-case; Redshift's VARBYTE rendering is not verified here, so only NULL-ness there.
  bytes: (value, dialect) => (dialect === 'duckdb' ? `lower(hex(${value}))` : dialect === 'postgres' ? `encode(${value}, 'hex')` : undefined),
  // jsonb re-spaces and re-orders keys, DuckDB keeps the text: only NULL-ness compares across engines.
  json: () => undefined,
  array: () => undefined,
};

/** The column's category (from the type map, else from its DuckDB type); a type without one fails loudly, naming the column. */
export function categoryOf(column: ColumnSpec): ValueCategory {
  if (column.category) return column.category;
  const found = CATEGORY_OF.find(([pattern]) => pattern.test(column.type));
  if (!found) throw new Error(`column ${column.name}: no checksum rendering for DuckDB type ${column.type}`);
  return found[1];
}

/** The canonical text of one column's value, or undefined when only NULL-ness is comparable in this dialect. */
export function renderValue(input: { dialect: ChecksumDialect; column: ColumnSpec; alias?: string }): string | undefined {
  const ref = input.alias ? `${input.alias}.${quoteIdent(input.column.name)}` : quoteIdent(input.column.name);
  // A Postgres char(n) drops its padding when cast to text, and its padding means nothing: compare without it.
  if (isFixedChar(input.column)) return input.dialect === 'postgres' ? castText(ref, 'postgres') : `rtrim(${ref}, ' ')`;
  return RENDER[categoryOf(input.column)](ref, input.dialect);
}

function isFixedChar(column: ColumnSpec): boolean {
  return /^(character|char|bpchar)(\(\d+\))?$/.test(column.warehouse?.postgres ?? '');
}

function hash60(dialect: ChecksumDialect, text: string): string {
  const md5 = `md5(${text})`;
  if (dialect === 'duckdb') return `CAST(('0x' || substr(${md5}, 1, 15)) AS BIGINT)`;
  if (dialect === 'postgres') return `('x' || substr(${md5}, 1, 15))::bit(60)::bigint`;
  // Redshift sums BIGINT into NUMERIC(19,0), which 60-bit hashes overflow: widen each term.
  return `CAST(strtol(substring(${md5}, 1, 15), 16) AS DECIMAL(38, 0))`;
}

/** Alias of the i-th column's checksum in the select list. */
export function columnChecksumAlias(index: number): string {
  return `c_${index}`;
}

/** One column's value as hash input: 'v' and its canonical text, 'n' for NULL (NULL-ness only when not comparable). */
function hashInput(dialect: ChecksumDialect, column: ColumnSpec, alias?: string): string {
  const ref = alias ? `${alias}.${quoteIdent(column.name)}` : quoteIdent(column.name);
  const value = renderValue({ dialect, column, alias }) ?? `CASE WHEN ${ref} IS NULL THEN NULL ELSE '' END`;
  return `coalesce('v' || ${value}, 'n')`;
}

function sumOf(dialect: ChecksumDialect, text: string, alias: string): string {
  return `CAST(coalesce(sum(${hash60(dialect, text)}), 0) AS ${TEXT[dialect]}) AS ${alias}`;
}

/**
 * Per column, the exact sum over rows of a 60-bit md5 of (key text, value text or a NULL marker): ties each
 * value to its row, order-free, as text so no engine rounds it. Columns follow `columns`, aliased c_0, c_1, …
 */
export function columnChecksumSelect(input: { dialect: ChecksumDialect; keys: readonly string[]; columns: readonly ColumnSpec[]; alias?: string }): string {
  const key = keyText(input.dialect, input.keys, input.alias);
  return input.columns.map((column, index) => sumOf(input.dialect, `${key} || '|' || ${hashInput(input.dialect, column, input.alias)}`, columnChecksumAlias(index))).join(', ');
}

/**
 * The canonical form of a row checksum. 1: each value marked ('v' || text, or 'n' for NULL) and joined with
 * `||`. 2 (what transforms write now): the values' texts in one concat_ws, then which ones were NULL as
 * bit masks; the same content at under half DuckDB's cost. A transform labels its checksum with the version
 * ('v2:…'; bare means 1), and the load computes the form the transform used, so a run in flight across a
 * deploy compares like with like.
 */
export type RowChecksumVersion = 1 | 2;
export const ROW_CHECKSUM_VERSION: RowChecksumVersion = 2;

/** The version a labelled row checksum was computed with. */
export function rowChecksumVersionOf(checksum: string | undefined): RowChecksumVersion {
  return checksum?.startsWith('v2:') ? 2 : 1;
}

/** A row checksum as the transform reports it: its version, then the sum. */
export function labelRowChecksum(version: RowChecksumVersion, sum: string): string {
  return version === 1 ? sum : `v${version}:${sum}`;
}

/** Which columns are NULL, as the text of bit masks of 60 columns each. */
function nullMasks(dialect: ChecksumDialect, columns: readonly ColumnSpec[], alias?: string): string[] {
  const masks: string[] = [];
  for (let start = 0; start < columns.length; start += 60) {
    const bits = columns.slice(start, start + 60).map((column, bit) => {
      const ref = alias ? `${alias}.${quoteIdent(column.name)}` : quoteIdent(column.name);
      return `CASE WHEN ${ref} IS NULL THEN ${(1n << BigInt(bit)).toString()} ELSE 0 END`;
    });
    masks.push(castText(bits.join(' + '), dialect));
  }
  return masks;
}

/**
 * The same content in one hash per row (every column's text joined), aliased row_checksum: a third of the
 * per-column cost, so a load checks it first and computes the per-column sums only to name what differs.
 */
export function rowChecksumSelect(input: { dialect: ChecksumDialect; keys: readonly string[]; columns: readonly ColumnSpec[]; alias?: string; version?: RowChecksumVersion }): string {
  const key = keyText(input.dialect, input.keys, input.alias);
  if ((input.version ?? ROW_CHECKSUM_VERSION) === 1) {
    const values = input.columns.map((column) => hashInput(input.dialect, column, input.alias));
    return sumOf(input.dialect, [key, ...values].join(` || '|' || `), 'row_checksum');
  }
  // concat_ws skips NULLs; the masks say where they were. A value only NULL-ness compares on is ''.
  const values = input.columns.map((column) => renderValue({ dialect: input.dialect, column, alias: input.alias }) ?? "''");
  return sumOf(input.dialect, `concat_ws('|', ${[key, ...values, ...nullMasks(input.dialect, input.columns, input.alias)].join(', ')})`, 'row_checksum');
}

/** Column name → checksum, from a row of columnChecksumSelect's output. */
export function readColumnChecksums(columns: readonly ColumnSpec[], row: Record<string, unknown> | readonly unknown[]): Record<string, string> {
  return Object.fromEntries(columns.map((column, index) => [column.name, String(Array.isArray(row) ? row[index] : (row as Record<string, unknown>)[columnChecksumAlias(index)])]));
}

/** The columns whose checksums differ from the expected ones (a missing expectation counts as different). */
export function mismatchedColumns(expected: Record<string, string>, actual: Record<string, string>): string[] {
  return Object.keys(actual).filter((name) => expected[name] !== actual[name]);
}
