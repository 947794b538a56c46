import { sourceColumnFor, type SourceColumn } from '../../../sql/type-map';

/** The Postgres spelling of a declared (DuckDB) type, so a files column goes through the one type map. */
function pgTypeOf(declared: string): string {
  const type = declared.trim().toUpperCase().replace(/\s+/g, ' ');
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `numeric(${decimal[1]},${decimal[2]})`;
  const named: Record<string, string> = {
    BOOLEAN: 'boolean', SMALLINT: 'smallint', INTEGER: 'integer', BIGINT: 'bigint', REAL: 'real', FLOAT: 'real', DOUBLE: 'double precision',
    DATE: 'date', TIME: 'time without time zone', TIMESTAMP: 'timestamp without time zone', TIMESTAMPTZ: 'timestamp with time zone',
    'TIMESTAMP WITH TIME ZONE': 'timestamp with time zone', VARCHAR: 'text', TEXT: 'text', UUID: 'uuid', JSON: 'json',
  };
  return named[type] ?? 'text';
}

/** The declared columns of a files table, in file order, mapped like source columns are. */
export function declaredSourceColumns(columns: Record<string, string>): SourceColumn[] {
  return Object.entries(columns).map(([name, declared]) => sourceColumnFor(name, pgTypeOf(declared)));
}
