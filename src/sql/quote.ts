/** Quotes an identifier for Postgres, Redshift and DuckDB alike: "name", with embedded quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a schema-qualified name such as raw.customers as "raw"."customers". */
export function quoteQualified(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

/** A SQL string literal, for the few places that take no parameters (DuckDB COPY targets, Redshift COPY). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
