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
  const sumType = input.dialect === 'duckdb' ? 'HUGEINT' : 'DECIMAL(38, 0)';
  const text = input.dialect === 'duckdb' ? 'VARCHAR' : input.dialect === 'postgres' ? 'text' : 'varchar';
  return `count(*) AS row_count, CAST(coalesce(sum(CAST(${keyHashExpr(input)} AS ${sumType})), 0) AS ${text}) AS key_checksum`;
}
