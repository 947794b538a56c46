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
