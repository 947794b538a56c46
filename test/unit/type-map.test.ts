import { parsePipeline } from '../../src/config';
import { issuesOf } from '../support/config-issues';
import { selectExtractColumns, selectNumericMeasure } from '../../src/connectors/sources/postgres/sql';
import { categoryOfDuckdbType, decimalFor, mapSourceColumn, needsMeasure, sourceColumnFor, unrepresentablePredicate, warehouseType } from '../../src/sql/type-map';

const valid = `
name: nightly
lake: { bucket: my-lake }
tables:
  - { name: t, source: raw.t, target: analytics.t, primaryKey: [id] }
`;

function mapped(pgType: string, extra: Partial<Parameters<typeof mapSourceColumn>[0]> = {}) {
  const column = mapSourceColumn({ name: 'c', pgType, ...extra });
  if ('refused' in column) throw new Error(column.refused);
  return { category: column.category, duckdb: column.duckdbType, postgres: column.warehouse?.postgres, redshift: column.warehouse?.redshift };
}

describe('the type map', () => {
  it('carries each Postgres type to an exact DuckDB type and keeps the source type in the warehouse', () => {
    expect(mapped('numeric(12,2)')).toEqual({ category: 'decimal', duckdb: 'DECIMAL(12,2)', postgres: 'numeric(12,2)', redshift: 'DECIMAL(12,2)' });
    expect(mapped('character varying(40)')).toEqual({ category: 'text', duckdb: 'VARCHAR', postgres: 'character varying(40)', redshift: 'VARCHAR(160)' });
    expect(mapped('character(5)')).toEqual({ category: 'text', duckdb: 'VARCHAR', postgres: 'character(5)', redshift: 'VARCHAR(20)' });
    expect(mapped('text')).toEqual({ category: 'text', duckdb: 'VARCHAR', postgres: 'text', redshift: 'VARCHAR(65535)' });
    expect(mapped('jsonb')).toEqual({ category: 'json', duckdb: 'JSON', postgres: 'jsonb', redshift: 'SUPER' });
    expect(mapped('bytea')).toEqual({ category: 'bytes', duckdb: 'BLOB', postgres: 'bytea', redshift: 'VARBYTE(1024000)' });
    expect(mapped('interval')).toEqual({ category: 'interval', duckdb: 'VARCHAR', postgres: 'interval', redshift: 'VARCHAR(64)' });
    expect(mapped('integer[]')).toEqual({ category: 'array', duckdb: 'JSON', postgres: 'jsonb', redshift: 'SUPER' });
    expect(mapped('uuid')).toEqual({ category: 'uuid', duckdb: 'UUID', postgres: 'uuid', redshift: 'CHAR(36)' });
    expect(mapped('time(3) with time zone')).toEqual({ category: 'timetz', duckdb: 'VARCHAR', postgres: 'time(3) with time zone', redshift: 'VARCHAR(32)' });
    expect(mapped('timestamp(3) without time zone')).toEqual({ category: 'timestamp', duckdb: 'TIMESTAMP', postgres: 'timestamp(3) without time zone', redshift: 'TIMESTAMP' });
    expect(mapped('timestamp with time zone').category).toBe('timestamptz');
    expect(mapped('inet')).toEqual({ category: 'text', duckdb: 'VARCHAR', postgres: 'text', redshift: 'VARCHAR(65535)' });
  });

  it('measures unconstrained and over-wide numerics, picks an exact DECIMAL or refuses', () => {
    expect(needsMeasure('numeric')).toBe(true);
    expect(needsMeasure('numeric(50,5)')).toBe(true);
    expect(needsMeasure('numeric(38,0)')).toBe(false);
    expect(decimalFor({ integerDigits: 17, scale: 20 })).toBe('DECIMAL(38,20)');
    expect(decimalFor({ integerDigits: 19, scale: 20 })).toBeUndefined();
    expect(mapped('numeric', { measure: { integerDigits: 3, scale: 20 } })).toEqual({ category: 'decimal', duckdb: 'DECIMAL(38,20)', postgres: 'numeric', redshift: 'DECIMAL(38,20)' });
    const refused = mapSourceColumn({ name: 'c', pgType: 'numeric(50,5)', measure: { integerDigits: 45, scale: 5 } });
    expect('refused' in refused ? refused.refused : 'mapped').toContain('45 digits before and 5 after the point');
    expect(mapped('numeric(50,5)', { override: 'VARCHAR' })).toEqual({ category: 'text', duckdb: 'VARCHAR', postgres: 'numeric(50,5)', redshift: 'VARCHAR(65535)' });
    expect(selectNumericMeasure({ source: 'raw.t', columns: ['n'], window: { column: 'u', to: '2026-01-01' } })).toBe(
      `SELECT coalesce(length(trunc(max(abs("n")) FILTER (WHERE "n" NOT IN ('NaN', 'Infinity', '-Infinity')))::text), 0) AS i0, coalesce(max(scale("n")) FILTER (WHERE "n" NOT IN ('NaN', 'Infinity', '-Infinity')), 0) AS s0 FROM "raw"."t" WHERE ("u" <= '2026-01-01' OR "u" IS NULL)`,
    );
  });

  it('marks rows whose values no engine downstream can hold, naming the first such column', () => {
    const columns = [sourceColumnFor('id', 'integer'), sourceColumnFor('d', 'date'), sourceColumnFor('a', 'text[]')];
    expect(unrepresentablePredicate(sourceColumnFor('f', 'double precision'), '"f"')).toBeUndefined();
    expect(selectExtractColumns(columns)).toBe(
      `"id", CASE WHEN NOT ("d" >= '0001-01-01' AND "d" < 'infinity') THEN NULL ELSE "d" END, array_to_json("a"), CASE WHEN NOT ("d" >= '0001-01-01' AND "d" < 'infinity') THEN 'd' END AS "_etl_unrepresentable"`,
    );
  });

  it('types a derived column from its DuckDB type, and refuses a type it cannot place', () => {
    expect(warehouseType({ dialect: 'postgres', duckdbType: 'DECIMAL(18,3)', column: 'x' })).toBe('numeric(18,3)');
    expect(warehouseType({ dialect: 'redshift', duckdbType: 'BLOB', column: 'x' })).toBe('VARBYTE(1024000)');
    expect(() => warehouseType({ dialect: 'redshift', duckdbType: 'INTEGER[]', column: 'x' })).toThrow('column x: no redshift type for DuckDB type INTEGER[]');
    expect(['BIGINT', 'DECIMAL(18,3)', 'DOUBLE', 'VARCHAR', 'TIMESTAMP WITH TIME ZONE', 'BLOB', 'INTEGER[]'].map(categoryOfDuckdbType)).toEqual(['integer', 'decimal', 'float', 'text', 'timestamptz', 'bytes', 'array']);
  });

  it('validates per-column overrides and the schema-change policy in the pipeline file', () => {
    const table = 'primaryKey: [id] }';
    const pipeline = parsePipeline({ file: 'p.yaml', text: valid.replace(table, 'primaryKey: [id], types: { n: VARCHAR }, onSchemaChange: evolve }') });
    expect(pipeline.tables[0]).toMatchObject({ types: { n: 'VARCHAR' }, onSchemaChange: 'evolve' });
    expect(parsePipeline({ file: 'p.yaml', text: valid }).tables[0]).toMatchObject({ types: {}, onSchemaChange: 'fail' });
    expect(issuesOf(valid.replace(table, 'primaryKey: [id], types: { n: TEXT } }'))).toEqual(['tables[0].types.n: expected VARCHAR (the only override: the exact text form)']);
    expect(issuesOf(valid.replace(table, 'primaryKey: [id], onSchemaChange: overwrite }'))[0]).toMatch(/^tables\[0\]\.onSchemaChange: .*"fail"\|"evolve"\|"ignore"/);
  });
});
