const UNITS: Record<string, number> = { KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };

/** Bytes of a size such as `512MB` or `1.5GiB` (DuckDB's units: KB = 1000 bytes, KiB = 1024); NaN if it is not one. */
export function parseMemorySize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B)$/i.exec(text.trim());
  const unit = match?.[2] ? UNITS[match[2].toUpperCase()] : undefined;
  return match?.[1] && unit ? Math.floor(Number(match[1]) * unit) : Number.NaN;
}

/** A byte count as whole MiB, the form a DuckDB session's `memory_limit` is set in. */
export function formatMebibytes(bytes: number): string {
  return `${Math.max(1, Math.floor(bytes / 2 ** 20))}MiB`;
}
