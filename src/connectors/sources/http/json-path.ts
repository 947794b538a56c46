/** The value at a dotted JSON path (`$`, `$.a.b`): undefined when a step is missing or not an object. */
export function valueAtPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.').slice(1)) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The URL of the Link header's rel="next" (RFC 8288), resolved against the page's URL; undefined if none. */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const link of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(link);
    const rel = match && /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(match[2] ?? '');
    if (match && rel && (rel[1] ?? '').toLowerCase().split(/\s+/).includes('next')) return new URL(match[1] ?? '', base).toString();
  }
  return undefined;
}

/** Orders two watermark values: numbers as numbers, timestamps as instants, anything else as text. */
function compareWatermarks(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [ta, tb] = [Date.parse(String(a)), Date.parse(String(b))];
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** The greatest of `current` and the records' `field` values, as the API wrote it (sent back as updated_since). */
export function greatestWatermark(input: { current?: string; records: readonly Record<string, unknown>[]; field: string }): string | undefined {
  let best: string | number | undefined = input.current;
  for (const record of input.records) {
    const value = record[input.field];
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    if (best === undefined || compareWatermarks(value, best) > 0) best = value;
  }
  return best === undefined ? undefined : String(best);
}
