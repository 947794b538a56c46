/** The warehouse dialects: they agree on identifiers but not on backslashes in literals. */
export type LiteralDialect = 'postgres' | 'redshift';

/** Postgres keeps NAMEDATALEN - 1 = 63 bytes of a name and silently drops the rest; Redshift keeps 127. */
const MAX_IDENT_BYTES = 63;

function refuseNul(value: string, what: string): void {
  // No dialect stores NUL in text; refusing beats a value cut short at the NUL.
  if (value.includes('\0')) throw new Error(`a SQL ${what} cannot hold a NUL character`);
}

/**
 * Quotes an identifier for Postgres, Redshift and DuckDB alike: "name", with embedded quotes doubled.
 * Backslashes mean nothing inside quoted identifiers in any of them; a name Postgres would truncate is refused.
 */
export function quoteIdent(name: string): string {
  refuseNul(name, 'identifier');
  if (Buffer.byteLength(name) > MAX_IDENT_BYTES) throw new Error(`identifier "${name}" is longer than ${MAX_IDENT_BYTES} bytes, which Postgres would truncate`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a schema-qualified name such as raw.customers as "raw"."customers". */
export function quoteQualified(name: string): string {
  return name.split('.').map((part) => quoteIdent(part)).join('.');
}

/**
 * A Postgres or DuckDB string literal, for the few places that take no parameters (DuckDB COPY targets, DDL).
 * Quotes are doubled. Postgres reads a backslash as an escape when standard_conforming_strings is off, so a
 * value holding one is written E'…' with backslashes doubled, which means the same under either setting
 * (DuckDB reads E'…' the same way). `$$`, newlines and any Unicode need nothing inside a quoted literal.
 */
export function quoteLiteral(value: string): string {
  refuseNul(value, 'literal');
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/**
 * A Redshift string literal: Redshift always reads a backslash in a literal as an escape (Redshift Database
 * Developer Guide, "Literals"), so backslashes are doubled as well as quotes; it has no E'…' form.
 */
export function quoteRedshiftLiteral(value: string): string {
  refuseNul(value, 'literal');
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** The literal quoter of a warehouse dialect. */
export function literalQuoter(dialect: LiteralDialect): (value: string) => string {
  return dialect === 'redshift' ? quoteRedshiftLiteral : quoteLiteral;
}
