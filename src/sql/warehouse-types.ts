export type WarehouseDialect = 'postgres' | 'redshift';

/** A column of processed Parquet: its name and DuckDB type (as DuckDB's DESCRIBE prints it). */
export interface ColumnSpec {
  name: string;
  type: string;
}

const SIMPLE: Record<string, Record<WarehouseDialect, string>> = {
  BOOLEAN: { postgres: 'boolean', redshift: 'BOOLEAN' },
  TINYINT: { postgres: 'smallint', redshift: 'SMALLINT' },
  SMALLINT: { postgres: 'smallint', redshift: 'SMALLINT' },
  INTEGER: { postgres: 'integer', redshift: 'INTEGER' },
  BIGINT: { postgres: 'bigint', redshift: 'BIGINT' },
  HUGEINT: { postgres: 'numeric(38,0)', redshift: 'DECIMAL(38,0)' },
  FLOAT: { postgres: 'real', redshift: 'REAL' },
  DOUBLE: { postgres: 'double precision', redshift: 'DOUBLE PRECISION' },
  DATE: { postgres: 'date', redshift: 'DATE' },
  TIMESTAMP: { postgres: 'timestamp', redshift: 'TIMESTAMP' },
  'TIMESTAMP WITH TIME ZONE': { postgres: 'timestamptz', redshift: 'TIMESTAMPTZ' },
  TIME: { postgres: 'time', redshift: 'TIME' },
  // Redshift's VARCHAR defaults to 256 bytes; text from Postgres has no limit, so take Redshift's maximum.
  VARCHAR: { postgres: 'text', redshift: 'VARCHAR(65535)' },
  UUID: { postgres: 'uuid', redshift: 'VARCHAR(36)' },
  JSON: { postgres: 'jsonb', redshift: 'SUPER' },
};

/** The warehouse column type for a DuckDB column type; unknown types fail loudly rather than guess. */
export function warehouseType(input: { dialect: WarehouseDialect; duckdbType: string; column: string }): string {
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(input.duckdbType);
  if (decimal) return input.dialect === 'postgres' ? `numeric(${decimal[1]},${decimal[2]})` : `DECIMAL(${decimal[1]},${decimal[2]})`;
  const mapped = SIMPLE[input.duckdbType]?.[input.dialect];
  if (!mapped) throw new Error(`column ${input.column}: no ${input.dialect} type for DuckDB type ${input.duckdbType}`);
  return mapped;
}
