import { categoryOf, columnChecksumSelect, labelRowChecksum, mismatchedColumns, readColumnChecksums, renderValue, rowChecksumSelect, rowChecksumVersionOf } from '../../src/sql/column-checksum';

describe('canonical value rendering', () => {
  it('gives every DuckDB type of the type map a category, and refuses a type it cannot render', () => {
    const types: Record<string, string> = {
      SMALLINT: 'integer', INTEGER: 'integer', BIGINT: 'integer', HUGEINT: 'integer', 'DECIMAL(12,2)': 'decimal', 'DECIMAL(38, 9)': 'decimal',
      FLOAT: 'float', DOUBLE: 'float', VARCHAR: 'text', BOOLEAN: 'boolean', DATE: 'date', TIMESTAMP: 'timestamp',
      'TIMESTAMP WITH TIME ZONE': 'timestamptz', TIME: 'time', UUID: 'uuid', JSON: 'json',
    };
    for (const [type, category] of Object.entries(types)) expect(categoryOf({ name: 'c', type })).toBe(category);
    expect(categoryOf({ name: 'b', type: 'BLOB' })).toBe('bytes');
    expect(categoryOf({ name: 't', type: 'VARCHAR', category: 'timetz' })).toBe('timetz');
    expect(() => categoryOf({ name: 'm', type: 'MAP(VARCHAR, INTEGER)' })).toThrow('column m: no checksum rendering for DuckDB type MAP(VARCHAR, INTEGER)');
  });

  it('renders per dialect: casts for numbers and times, t/f for booleans, spelled-out float specials', () => {
    const render = (type: string, dialect: 'duckdb' | 'postgres' | 'redshift') => renderValue({ dialect, column: { name: 'x', type }, alias: 't' });
    expect(render('DECIMAL(12,2)', 'postgres')).toBe('CAST(t."x" AS text)');
    expect(render('DECIMAL(12,2)', 'duckdb')).toBe('CAST(t."x" AS VARCHAR)');
    expect(render('BOOLEAN', 'redshift')).toBe(`CASE WHEN t."x" THEN 't' ELSE 'f' END`);
    expect(render('DOUBLE', 'duckdb')).toContain(`printf('%.16e', CAST(t."x" AS DOUBLE))`);
    expect(render('DOUBLE', 'postgres')).toContain(`ltrim(to_char(CAST(t."x" AS float8), '9.9999999999999999EEEE'))`);
    expect(render('DOUBLE', 'postgres')).toMatch(/^CASE WHEN .* = CAST\('NaN' AS float8\) THEN 'NaN'/);
    expect(render('DOUBLE', 'redshift')).toBeUndefined();
    expect(render('JSON', 'postgres')).toBeUndefined();
    expect(render('VARCHAR', 'postgres')).toBe('t."x"');
  });

  it('hashes key and value per column, NULL apart from every value, and all columns at once per row', () => {
    const columns = [{ name: 'id', type: 'BIGINT' }, { name: 'doc', type: 'JSON' }];
    const select = columnChecksumSelect({ dialect: 'postgres', keys: ['id'], columns });
    expect(select).toBe(
      `CAST(coalesce(sum(('x' || substr(md5(CAST("id" AS text) || '|' || coalesce('v' || CAST("id" AS text), 'n')), 1, 15))::bit(60)::bigint), 0) AS text) AS c_0, ` +
        `CAST(coalesce(sum(('x' || substr(md5(CAST("id" AS text) || '|' || coalesce('v' || CASE WHEN "doc" IS NULL THEN NULL ELSE '' END, 'n')), 1, 15))::bit(60)::bigint), 0) AS text) AS c_1`,
    );
    expect(rowChecksumSelect({ dialect: 'duckdb', keys: ['id'], columns, version: 1 })).toBe(
      `CAST(coalesce(sum(CAST(('0x' || substr(md5(CAST("id" AS VARCHAR) || '|' || coalesce('v' || CAST("id" AS VARCHAR), 'n') || '|' || coalesce('v' || CASE WHEN "doc" IS NULL THEN NULL ELSE '' END, 'n')), 1, 15)) AS BIGINT)), 0) AS VARCHAR) AS row_checksum`,
    );
  });

  it('hashes a row (form 2) as its values in one concat_ws and a mask of which were NULL, labelled with the form', () => {
    const columns = [{ name: 'id', type: 'BIGINT' }, { name: 'at', type: 'TIMESTAMP WITH TIME ZONE' }, { name: 'doc', type: 'JSON' }];
    expect(rowChecksumSelect({ dialect: 'postgres', keys: ['id'], columns })).toBe(
      `CAST(coalesce(sum(('x' || substr(md5(concat_ws('|', CAST("id" AS text), CAST("id" AS text), CAST("at" AS text), '', ` +
        `CAST(CASE WHEN "id" IS NULL THEN 1 ELSE 0 END + CASE WHEN "at" IS NULL THEN 2 ELSE 0 END + CASE WHEN "doc" IS NULL THEN 4 ELSE 0 END AS text))), 1, 15))::bit(60)::bigint), 0) AS text) AS row_checksum`,
    );
    expect(rowChecksumSelect({ dialect: 'duckdb', keys: ['id'], columns })).toContain(`(CAST(make_timestamp(epoch_us("at")) AS VARCHAR) || '+00')`);
    // 61 columns take two masks: bits 0..59, then bit 0 again.
    const wide = Array.from({ length: 61 }, (_, index) => ({ name: `c${index}`, type: 'INTEGER' }));
    const sql = rowChecksumSelect({ dialect: 'duckdb', keys: ['c0'], columns: wide });
    expect(sql).toContain('CASE WHEN "c59" IS NULL THEN 576460752303423488 ELSE 0 END AS VARCHAR), CAST(CASE WHEN "c60" IS NULL THEN 1 ELSE 0 END AS VARCHAR)');
    expect(labelRowChecksum(2, '42')).toBe('v2:42');
    expect([rowChecksumVersionOf('v2:42'), rowChecksumVersionOf('42'), rowChecksumVersionOf(undefined)]).toEqual([2, 1, 1]);
  });

  it('reads checksums by column and names the columns that differ', () => {
    const columns = [{ name: 'a', type: 'INTEGER' }, { name: 'b', type: 'VARCHAR' }];
    expect(readColumnChecksums(columns, { c_0: '1', c_1: '2' })).toEqual({ a: '1', b: '2' });
    expect(readColumnChecksums(columns, [3n, 4n])).toEqual({ a: '3', b: '4' });
    expect(mismatchedColumns({ a: '1', b: '2' }, { a: '1', b: '5' })).toEqual(['b']);
    expect(mismatchedColumns({}, { a: '1' })).toEqual(['a']);
  });
});
