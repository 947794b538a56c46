/**
 * The one type map: a Postgres source type → how the extract reads it (COPY expression, CSV read type) → the
 * DuckDB / Parquet type → the warehouse type on Postgres and Redshift. Rules: a value is carried exactly or
 * refused before data moves; a value no engine downstream can hold goes to rejected/ as unrepresentable_value.
 * README ("Types") documents this table; keep both in step.
 */
export type WarehouseDialect = 'postgres' | 'redshift';

/** What a column holds, independent of engine: what checksums, renderings and drift checks switch on. */
export type TypeCategory =
  | 'integer' | 'decimal' | 'float' | 'text' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'time' | 'timetz'
  | 'interval' | 'json' | 'bytes' | 'uuid' | 'array';

/** A source column as the Postgres catalog describes it, with the DuckDB type its values are read as. */
export interface SourceColumn {
  name: string;
  /** format_type() output, e.g. numeric(12,2) or timestamp with time zone. */
  pgType: string;
  duckdbType: string;
  category: TypeCategory;
  /** NOT NULL in the source. */
  notNull?: boolean;
  /** The warehouse types a column passed through the transform unchanged is created with. */
  warehouse?: Record<WarehouseDialect, string>;
}

/** The widest exact decimal DuckDB, Parquet and Redshift all hold. */
export const MAX_DECIMAL_PRECISION = 38;
/** Redshift's longest VARCHAR, in bytes. */
const REDSHIFT_MAX_VARCHAR = 65535;

interface Mapped {
  category: TypeCategory;
  duckdbType: string;
  postgres: string;
  redshift: string;
}

const FIXED: Record<string, Omit<Mapped, 'postgres'> & { postgres?: string }> = {
  smallint: { category: 'integer', duckdbType: 'SMALLINT', redshift: 'SMALLINT' },
  integer: { category: 'integer', duckdbType: 'INTEGER', redshift: 'INTEGER' },
  bigint: { category: 'integer', duckdbType: 'BIGINT', redshift: 'BIGINT' },
  real: { category: 'float', duckdbType: 'FLOAT', redshift: 'REAL' },
  'double precision': { category: 'float', duckdbType: 'DOUBLE', redshift: 'DOUBLE PRECISION' },
  boolean: { category: 'boolean', duckdbType: 'BOOLEAN', redshift: 'BOOLEAN' },
  date: { category: 'date', duckdbType: 'DATE', redshift: 'DATE' },
  text: { category: 'text', duckdbType: 'VARCHAR', redshift: `VARCHAR(${REDSHIFT_MAX_VARCHAR})` },
  uuid: { category: 'uuid', duckdbType: 'UUID', redshift: 'CHAR(36)' },
  // DuckDB's INTERVAL has no ISO 8601 input; the ISO text (IntervalStyle iso_8601) is exact and Postgres reads it back.
  interval: { category: 'interval', duckdbType: 'VARCHAR', redshift: 'VARCHAR(64)' },
  json: { category: 'json', duckdbType: 'JSON', redshift: 'SUPER' },
  jsonb: { category: 'json', duckdbType: 'JSON', redshift: 'SUPER' },
  bytea: { category: 'bytes', duckdbType: 'BLOB', redshift: 'VARBYTE(1024000)' },
};

/** A Postgres varchar/char length is in characters, Redshift's in bytes: up to 4 bytes per UTF-8 character. */
function redshiftText(length: string | undefined): string {
  return length === undefined ? `VARCHAR(${REDSHIFT_MAX_VARCHAR})` : `VARCHAR(${Math.min(Number(length) * 4, REDSHIFT_MAX_VARCHAR)})`;
}

function mapPattern(pgType: string): Mapped | undefined {
  const text = /^(?:character varying|character|varchar|char|bpchar)(?:\((\d+)\))?$/.exec(pgType);
  // Redshift's CHAR holds single-byte characters only, so char(n) becomes a VARCHAR there (trailing spaces kept).
  if (text) return { category: 'text', duckdbType: 'VARCHAR', postgres: pgType, redshift: redshiftText(text[1]) };
  if (/^timestamp(\(\d\))? with time zone$/.test(pgType)) return { category: 'timestamptz', duckdbType: 'TIMESTAMP WITH TIME ZONE', postgres: pgType, redshift: 'TIMESTAMPTZ' };
  if (/^timestamp(\(\d\))?( without time zone)?$/.test(pgType)) return { category: 'timestamp', duckdbType: 'TIMESTAMP', postgres: pgType, redshift: 'TIMESTAMP' };
  // DuckDB (and Redshift) normalise a TIMETZ to UTC and lose its offset: the text form (12:34:56+05:30) is exact.
  if (/^time(\(\d\))? with time zone$/.test(pgType)) return { category: 'timetz', duckdbType: 'VARCHAR', postgres: pgType, redshift: 'VARCHAR(32)' };
  if (/^time(\(\d\))?( without time zone)?$/.test(pgType)) return { category: 'time', duckdbType: 'TIME', postgres: pgType, redshift: 'TIME' };
  // Arrays travel as JSON (array_to_json): neither Parquet nor Redshift has Postgres' arrays.
  if (pgType.endsWith('[]')) return { category: 'array', duckdbType: 'JSON', postgres: 'jsonb', redshift: 'SUPER' };
  return undefined;
}

/** Precision and scale of a numeric type, or undefined for unconstrained numeric. */
export function numericTypmod(pgType: string): { precision: number; scale: number } | undefined {
  const match = /^numeric\((\d+),(-?\d+)\)$/.exec(pgType);
  return match ? { precision: Number(match[1]), scale: Number(match[2]) } : undefined;
}

/** True when the extract must measure the column's values to choose an exact DECIMAL (or refuse). */
export function needsMeasure(pgType: string): boolean {
  if (pgType === 'numeric') return true;
  const typmod = numericTypmod(pgType);
  return typmod !== undefined && (typmod.precision > MAX_DECIMAL_PRECISION || typmod.scale < 0 || typmod.scale > typmod.precision);
}

/** The widest value of a measured numeric column in the window: digits before and after the point. */
export interface NumericMeasure {
  integerDigits: number;
  scale: number;
}

/** The exact DECIMAL for measured values, or undefined when more than 38 digits are needed. */
export function decimalFor(measure: NumericMeasure): string | undefined {
  const precision = Math.max(1, measure.integerDigits + measure.scale);
  if (precision > MAX_DECIMAL_PRECISION) return undefined;
  // Scale as measured, precision 38: later windows with larger integers still fit the same type.
  return `DECIMAL(${MAX_DECIMAL_PRECISION},${measure.scale})`;
}

/** Overrides a pipeline may set per column (tables[].types); VARCHAR carries the source's text form exactly. */
export const typeOverrides = ['VARCHAR'] as const;
export type TypeOverride = (typeof typeOverrides)[number];

/**
 * Maps one source column. Numeric types that need measuring take `measure`; without one (or when it does
 * not fit) the result is `refused` with the reason, unless `override` carries the column as text.
 */
export function mapSourceColumn(input: { name: string; pgType: string; notNull?: boolean; override?: TypeOverride; measure?: NumericMeasure }): SourceColumn | { refused: string } {
  const { name, pgType } = input;
  const base = { name, pgType, notNull: input.notNull };
  if (input.override === 'VARCHAR') {
    const postgres = pgType.endsWith('[]') ? 'jsonb' : pgType;
    return { ...base, duckdbType: 'VARCHAR', category: 'text', warehouse: { postgres, redshift: `VARCHAR(${REDSHIFT_MAX_VARCHAR})` } };
  }
  const fixed = FIXED[pgType];
  if (fixed) return { ...base, duckdbType: fixed.duckdbType, category: fixed.category, warehouse: { postgres: fixed.postgres ?? pgType, redshift: fixed.redshift } };
  const pattern = mapPattern(pgType);
  if (pattern) return { ...base, duckdbType: pattern.duckdbType, category: pattern.category, warehouse: { postgres: pattern.postgres, redshift: pattern.redshift } };
  if (pgType === 'numeric' || pgType.startsWith('numeric(')) return mapNumeric({ ...input, base });
  // Anything else (enums, inet, money, ranges, user types…): its Postgres text form, exactly, as text.
  return { ...base, duckdbType: 'VARCHAR', category: 'text', warehouse: { postgres: 'text', redshift: `VARCHAR(${REDSHIFT_MAX_VARCHAR})` } };
}

function mapNumeric(input: { pgType: string; measure?: NumericMeasure; base: Pick<SourceColumn, 'name' | 'pgType' | 'notNull'> }): SourceColumn | { refused: string } {
  if (!needsMeasure(input.pgType)) {
    const typmod = numericTypmod(input.pgType);
    const decimal = `DECIMAL(${typmod?.precision ?? 0},${typmod?.scale ?? 0})`;
    return { ...input.base, duckdbType: decimal, category: 'decimal', warehouse: { postgres: input.pgType, redshift: decimal } };
  }
  if (!input.measure) return { refused: 'its values were not measured' };
  const decimal = decimalFor(input.measure);
  if (!decimal) return { refused: `its widest value in this window has ${input.measure.integerDigits} digits before and ${input.measure.scale} after the point, more than the ${MAX_DECIMAL_PRECISION} digits DuckDB, Parquet and Redshift hold exactly` };
  return { ...input.base, duckdbType: decimal, category: 'decimal', warehouse: { postgres: input.pgType, redshift: decimal } };
}

/**
 * The Postgres predicate that is true when a value of this column cannot be carried exactly (NaN/±Infinity
 * in numeric, infinite or BC dates, timestamps outside DuckDB's range); undefined when every value can.
 * `column` is already quoted. The extract session runs in UTC, so timestamptz bounds compare in UTC.
 */
export function unrepresentablePredicate(column: SourceColumn, quoted: string): string | undefined {
  switch (column.category) {
    // Each predicate is two comparisons (the extract evaluates it twice per value): NaN sorts above Infinity,
    // -infinity and BC dates below 0001-01-01, infinity above every bound; NULL is never unrepresentable.
    case 'decimal':
      return `NOT (${quoted} > '-Infinity' AND ${quoted} < 'Infinity')`;
    case 'date':
      return `NOT (${quoted} >= '0001-01-01' AND ${quoted} < 'infinity')`;
    case 'timestamp':
    case 'timestamptz':
      // DuckDB's timestamps end at 294247-01-10 04:00:54 (microseconds since 1970 in an int64).
      return `NOT (${quoted} >= '0001-01-01' AND ${quoted} < '294247-01-10')`;
    default:
      return undefined;
  }
}

/** How the extract's COPY selects a column: arrays as JSON, everything else as Postgres prints it. */
export function extractExpression(column: SourceColumn, quoted: string): string {
  if (column.category === 'array') return `array_to_json(${quoted})`;
  return quoted;
}

/** The type the CSV spool is read as: bytea arrives as Postgres hex text (\x…) and is decoded after. */
export function csvReadType(column: SourceColumn): string {
  return column.category === 'bytes' ? 'VARCHAR' : column.duckdbType;
}

/** The DuckDB expression that turns a CSV-read column into its DuckDB type (bytea hex → BLOB). */
export function rawExpression(column: SourceColumn, quoted: string): string {
  return column.category === 'bytes' ? `unhex(substr(${quoted}, 3)) AS ${quoted}` : quoted;
}

const DERIVED: Record<string, Record<WarehouseDialect, string>> = {
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
  'TIME WITH TIME ZONE': { postgres: 'timetz', redshift: 'TIMETZ' },
  VARCHAR: { postgres: 'text', redshift: `VARCHAR(${REDSHIFT_MAX_VARCHAR})` },
  UUID: { postgres: 'uuid', redshift: 'CHAR(36)' },
  JSON: { postgres: 'jsonb', redshift: 'SUPER' },
  BLOB: { postgres: 'bytea', redshift: 'VARBYTE(1024000)' },
};

/** The category of a DuckDB type, for a column the transform derived (a passed-through column keeps its source's). */
export function categoryOfDuckdbType(duckdbType: string): TypeCategory {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(duckdbType)) return 'integer';
  if (/^DECIMAL/.test(duckdbType)) return 'decimal';
  if (/^(FLOAT|DOUBLE)$/.test(duckdbType)) return 'float';
  const exact: Record<string, TypeCategory> = {
    BOOLEAN: 'boolean', DATE: 'date', TIMESTAMP: 'timestamp', 'TIMESTAMP WITH TIME ZONE': 'timestamptz', TIME: 'time',
    'TIME WITH TIME ZONE': 'timetz', INTERVAL: 'interval', JSON: 'json', BLOB: 'bytes', UUID: 'uuid',
  };
  return exact[duckdbType] ?? (duckdbType.endsWith('[]') ? 'array' : 'text');
}

/** The warehouse type of a derived column (one the transform made), from its DuckDB type; unknown types fail. */
export function warehouseType(input: { dialect: WarehouseDialect; duckdbType: string; column: string }): string {
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(input.duckdbType);
  if (decimal) return input.dialect === 'postgres' ? `numeric(${decimal[1]},${decimal[2]})` : `DECIMAL(${decimal[1]},${decimal[2]})`;
  const mapped = DERIVED[input.duckdbType]?.[input.dialect];
  if (!mapped) throw new Error(`column ${input.column}: no ${input.dialect} type for DuckDB type ${input.duckdbType}; cast it in a derive or cast step`);
  return mapped;
}

/** A column mapped without measuring (tools and tests): a numeric that would need it reads as DECIMAL(38,9). */
export function sourceColumnFor(name: string, pgType: string): SourceColumn {
  const mapped = mapSourceColumn({ name, pgType, measure: { integerDigits: 29, scale: 9 } });
  return 'refused' in mapped ? { name, pgType, duckdbType: 'VARCHAR', category: 'text' } : mapped;
}

/** The DuckDB type a Postgres type is read as (see sourceColumnFor). */
export function duckdbTypeFor(pgType: string): string {
  return sourceColumnFor('', pgType).duckdbType;
}

/** Types a watermark can be: ordered, and advancing as rows change. */
export function isOrderableWatermark(pgType: string): boolean {
  return /^(smallint|integer|bigint|date|numeric.*|timestamp.*)$/.test(pgType);
}

/** The raw Parquet column naming the first column of a row that holds an unrepresentable value. */
export const UNREPRESENTABLE_COLUMN = '_etl_unrepresentable';
/** The rejection reason of such a row. */
export const UNREPRESENTABLE_RULE = 'unrepresentable_value';

/** True when the extract adds UNREPRESENTABLE_COLUMN for these columns. */
export function hasUnrepresentableMarker(columns: readonly SourceColumn[]): boolean {
  return columns.some((column) => unrepresentablePredicate(column, '"x"') !== undefined);
}
