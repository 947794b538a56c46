/** The span of an integer primary key in the source, as text (bigint-safe). */
export interface KeyRange {
  low: string;
  high: string;
}

/**
 * Equal-width parts over an integer key: the last key of the part that follows `after`, or undefined when
 * that part is the last (open-ended). Needs no query, so the next part's COPY starts at once; with dense
 * keys the parts hold about `rows / parts` rows each.
 */
export function integerPartEnd(input: { range: KeyRange; parts: number; after?: readonly string[] }): string[] | undefined {
  const low = BigInt(input.range.low);
  const high = BigInt(input.range.high);
  const parts = BigInt(Math.max(1, Math.trunc(input.parts)));
  const width = (high - low + parts) / parts; // ceil((high - low + 1) / parts)
  const end = (input.after?.[0] === undefined ? low - 1n : BigInt(input.after[0])) + width;
  return end >= high ? undefined : [end.toString()];
}

/** Integer key types whose span splits into parts by arithmetic. */
export function isIntegerKey(pgType: string): boolean {
  return /^(smallint|integer|bigint)$/.test(pgType);
}

/**
 * The columns an extract cuts its parts on: the source primary key, or only its leading column when that is an
 * integer and more follow (order lines keyed (order_id, line_no)). Parts then split by arithmetic on the
 * leading column, with no query per part, and each part still holds whole key groups.
 */
export function chooseChunkKey(primaryKey: readonly { name: string; pgType: string }[]): string[] {
  const [leading] = primaryKey;
  if (leading && primaryKey.length > 1 && isIntegerKey(leading.pgType)) return [leading.name];
  return primaryKey.map((column) => column.name);
}
