/** A source column as the Postgres catalog describes it, with the DuckDB type its values are read as. */
export interface SourceColumn {
  name: string;
  /** format_type() output, e.g. numeric(12,2) or timestamp with time zone. */
  pgType: string;
  duckdbType: string;
}

const EXACT: Record<string, string> = {
  smallint: 'SMALLINT',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  real: 'FLOAT',
  'double precision': 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  'timestamp without time zone': 'TIMESTAMP',
  'timestamp with time zone': 'TIMESTAMPTZ',
  'time without time zone': 'TIME',
  uuid: 'UUID',
  text: 'VARCHAR',
};

/**
 * Maps a Postgres column type to the DuckDB type the extract reads it as, keeping numeric precision and
 * time zones. Unconstrained numeric becomes DECIMAL(38,9): DuckDB's widest exact decimal; values that do not
 * fit fail the extract loudly, naming the column, instead of being rounded.
 */
export function duckdbTypeFor(pgType: string): string {
  const exact = EXACT[pgType];
  if (exact) return exact;
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(pgType);
  if (numeric) return Number(numeric[1]) <= 38 ? `DECIMAL(${numeric[1]},${numeric[2]})` : 'DOUBLE';
  if (pgType === 'numeric') return 'DECIMAL(38,9)';
  if (/^(character varying|character|varchar|char)(\(\d+\))?$/.test(pgType)) return 'VARCHAR';
  if (/^timestamp\(\d\) with time zone$/.test(pgType)) return 'TIMESTAMPTZ';
  if (/^timestamp\(\d\) without time zone$/.test(pgType)) return 'TIMESTAMP';
  return 'VARCHAR';
}

/** Types a watermark can be: ordered, and advancing as rows change. */
export function isOrderableWatermark(pgType: string): boolean {
  return /^(smallint|integer|bigint|date|numeric.*|timestamp.*)$/.test(pgType);
}
