import { quoteIdent } from './quote';

/**
 * The columns of a key set for reference checks: `etl_key` for a single-column key (as every key set was
 * before composite keys), `etl_key_1` … `etl_key_n` for a composite one, each value as text, in key order.
 */
export function keySetColumns(width: number): string[] {
  return width === 1 ? ['etl_key'] : Array.from({ length: width }, (_, index) => `etl_key_${index + 1}`);
}

/** `SELECT DISTINCT` list and filter of a key set over `keys`: each column cast to text, rows with a NULL part left out. */
export function keySetSelect(input: { keys: readonly string[]; cast: (column: string) => string }): { select: string; where: string } {
  const names = keySetColumns(input.keys.length);
  const select = input.keys.map((key, index) => `${input.cast(quoteIdent(key))} AS ${names[index] ?? ''}`).join(', ');
  const where = input.keys.map((key) => `${quoteIdent(key)} IS NOT NULL`).join(' AND ');
  return { select, where };
}

/** An empty key set of `width` columns (and a lookup's `looked` columns, as VARCHAR), in DuckDB. */
export function emptyKeySet(width: number, looked: readonly string[] = []): string {
  const names = [...keySetColumns(width), ...looked.map((column) => quoteIdent(column))];
  return `SELECT ${names.map((name) => `CAST(NULL AS VARCHAR) AS ${name}`).join(', ')} WHERE false`;
}
