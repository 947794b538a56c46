import { quoteIdent } from './quote';

export type ChecksumDialect = 'duckdb' | 'postgres' | 'redshift';

/** The key columns of a row as one text, joined by '|', the same in every engine. */
export function keyText(dialect: ChecksumDialect, keys: readonly string[], alias?: string): string {
  const cast = dialect === 'duckdb' ? 'VARCHAR' : dialect === 'postgres' ? 'text' : 'varchar';
  const ref = (key: string) => (alias ? `${alias}.${quoteIdent(key)}` : quoteIdent(key));
  return keys.map((key) => `CAST(${ref(key)} AS ${cast})`).join(` || '|' || `);
}

/**
 * A per-row key hash that DuckDB, Postgres and Redshift compute identically: the first 15 hex digits (60
 * bits) of md5 of the key text. Summed over a table (as an exact decimal) it is an order-free checksum.
 */
export function keyHashExpr(input: { dialect: ChecksumDialect; keys: readonly string[]; alias?: string }): string {
  const md5 = `md5(${keyText(input.dialect, input.keys, input.alias)})`;
  switch (input.dialect) {
    case 'duckdb':
      return `CAST(('0x' || substr(${md5}, 1, 15)) AS BIGINT)`;
    case 'postgres':
      return `('x' || substr(${md5}, 1, 15))::bit(60)::bigint`;
    case 'redshift':
      return `strtol(substring(${md5}, 1, 15), 16)`;
  }
}

/** count(*) and the exact sum of key hashes, as text so no engine rounds them. */
export function keyChecksumSelect(input: { dialect: ChecksumDialect; keys: readonly string[]; alias?: string }): string {
  const text = input.dialect === 'duckdb' ? 'VARCHAR' : input.dialect === 'postgres' ? 'text' : 'varchar';
  // Postgres sums bigint exactly in a 128-bit accumulator, several times faster than a numeric per row;
  // Redshift sums BIGINT into NUMERIC(19,0), which 60-bit hashes overflow, so each term is widened there.
  const hash = keyHashExpr(input);
  const term = input.dialect === 'postgres' ? hash : `CAST(${hash} AS ${input.dialect === 'duckdb' ? 'HUGEINT' : 'DECIMAL(38, 0)'})`;
  return `count(*) AS row_count, CAST(coalesce(sum(${term}), 0) AS ${text}) AS key_checksum`;
}
