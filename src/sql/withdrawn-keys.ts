import { quoteIdent, quoteLiteral } from './quote';

/**
 * The keys a reprocess withdraws, in the target's key order: keys of rows its transform rejected (none NULL:
 * such a row was never loaded), less those a later raw run of the table holds (its version, newer than the
 * reprocessed one, is left to that day's own run or reprocess). Later raw parts carry source types, so keys
 * compare as text. The load also keeps every key this reprocess accepted (a rejected duplicate of a loaded key).
 */
export function selectWithdrawnKeys(input: { keys: readonly string[]; rejected: string; later?: string }): string {
  const columns = input.keys.map((key) => `r.${quoteIdent(key)}`);
  const present = columns.map((column) => `${column} IS NOT NULL`).join(' AND ');
  const asText = (alias: string, key: string) => `CAST(${alias}.${quoteIdent(key)} AS VARCHAR)`;
  const newer = input.later
    ? ` AND NOT EXISTS (SELECT 1 FROM ${input.later} l WHERE ${input.keys.map((key) => `${asText('l', key)} = ${asText('r', key)}`).join(' AND ')})`
    : '';
  return `SELECT DISTINCT ${columns.join(', ')} FROM ${input.rejected} r WHERE ${present}${newer}`;
}

/** Only the key columns of some Parquet files whose other columns may differ (later runs of a changed source). */
export function readKeyColumns(input: { paths: readonly string[]; keys: readonly string[] }): string {
  const files = input.paths.map(quoteLiteral).join(', ');
  return `(SELECT ${input.keys.map(quoteIdent).join(', ')} FROM read_parquet([${files}], hive_partitioning = false, union_by_name = true))`;
}
