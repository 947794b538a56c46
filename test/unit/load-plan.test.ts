import { keyChecksumSelect, keyHashExpr } from '../../src/sql/checksum';
import { copyPartToStdout, selectPartEnd, selectWindowBounds } from '../../src/connectors/sources/postgres/sql';
import { analyzeKeyTables, applyStagedRows, createStageTable, createTargetTable, finishDirectLoad, type LoadPlanSpec } from '../../src/connectors/targets/load-plan';
import { duckdbTypeFor, isOrderableWatermark } from '../../src/sql/pg-types';
import { orderTableLevels } from '../../src/config/table-order';

const spec: LoadPlanSpec = {
  dialect: 'postgres',
  pipeline: 'demo',
  table: 'sales',
  target: 'analytics.sales_fact',
  mode: 'merge',
  keys: ['sale_id'],
  columns: [
    { name: 'sale_id', type: 'BIGINT' },
    { name: 'sale_date', type: 'DATE' },
    { name: 'amount', type: 'DECIMAL(12,2)' },
  ],
  rollups: [{ target: 'analytics.daily_sales', refreshBy: 'sale_date', groupBy: ['sale_date'], measures: { total: 'sum(amount)' } }],
  runId: "run-'1'",
  watermark: '2026-01-01 00:00:00+00',
};

describe('load plan statements', () => {
  it('creates the target with warehouse types and a primary key', () => {
    expect(createTargetTable(spec)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "analytics"',
      'CREATE TABLE IF NOT EXISTS "analytics"."sales_fact" ("sale_id" bigint NOT NULL, "sale_date" date, "amount" numeric(12,2), PRIMARY KEY ("sale_id"))',
    ]);
    expect(createTargetTable({ ...spec, dialect: 'redshift' })[1]).toContain('"amount" DECIMAL(12,2)');
    expect(createStageTable(spec)).toBe('CREATE TEMP TABLE etl_stage (LIKE "analytics"."sales_fact") ON COMMIT DROP');
  });

  it('merges by delete-insert, rebuilds touched rollup rows and saves the watermark, in order', () => {
    const statements = applyStagedRows(spec);
    expect(statements[0]).toBe(
      'CREATE TEMP TABLE etl_touched_0 ON COMMIT DROP AS SELECT DISTINCT "sale_date" FROM etl_stage UNION SELECT DISTINCT t."sale_date" FROM "analytics"."sales_fact" t JOIN etl_stage s ON t."sale_id" = s."sale_id"',
    );
    // Postgres plans the rebuild from statistics, which a fresh temp table lacks; Redshift gets no ANALYZE.
    expect(statements[1]).toBe('ANALYZE etl_touched_0');
    expect(applyStagedRows({ ...spec, dialect: 'redshift' })).not.toContain('ANALYZE etl_touched_0');
    expect(statements[2]).toBe('DELETE FROM "analytics"."sales_fact" USING etl_stage WHERE "analytics"."sales_fact"."sale_id" = etl_stage."sale_id"');
    expect(statements[3]).toBe('INSERT INTO "analytics"."sales_fact" ("sale_id", "sale_date", "amount") SELECT "sale_id", "sale_date", "amount" FROM etl_stage');
    // Exactly the touched groups, NULL matching NULL, by a join both warehouses can hash.
    const touched = (table: string) =>
      `EXISTS (SELECT 1 FROM etl_touched_0 g WHERE coalesce(${table}."sale_date", CAST('2000-01-01' AS date)) = coalesce(g."sale_date", CAST('2000-01-01' AS date)) AND (${table}."sale_date" IS NULL) = (g."sale_date" IS NULL))`;
    expect(statements[4]).toBe(`DELETE FROM "analytics"."daily_sales" WHERE ${touched('"analytics"."daily_sales"')}`);
    expect(statements[5]).toBe(`INSERT INTO "analytics"."daily_sales" SELECT "sale_date", sum("amount") AS "total" FROM "analytics"."sales_fact" WHERE ${touched('"analytics"."sales_fact"')} GROUP BY "sale_date"`);
    expect(statements.at(-1)).toBe(
      "INSERT INTO etl_state.watermarks (pipeline, table_name, watermark, run_id, saved_at) VALUES ('demo', 'sales', '2026-01-01 00:00:00+00', 'run-''1''', (now() AT TIME ZONE 'utc'))",
    );
  });

  it("records a direct load's checked row count without counting the target again", () => {
    const statements = finishDirectLoad({ ...spec, rebuildRollups: false, rows: 1250000 });
    expect(statements).toContain("INSERT INTO etl_state.loads (pipeline, table_name, run_id, row_count, loaded_at) VALUES ('demo', 'sales', 'run-''1''', 1250000, (now() AT TIME ZONE 'utc'))");
    expect(statements.join('\n')).not.toContain('count(*)');
    // A merge records the rows it staged.
    expect(applyStagedRows(spec)).toContain("INSERT INTO etl_state.loads (pipeline, table_name, run_id, row_count, loaded_at) SELECT 'demo', 'sales', 'run-''1''', count(*), (now() AT TIME ZONE 'utc') FROM etl_stage");
  });

  it('samples only the key columns of the temp tables a merge joins', () => {
    expect(analyzeKeyTables({ keys: ['order_id', 'line "no"'], tables: ['etl_stage', 'etl_source_keys'] })).toBe(
      'ANALYZE etl_stage ("order_id", "line ""no"""), etl_source_keys ("order_id", "line ""no""")',
    );
  });

  it('joins rollup groups by plain equality on the columns the catalog declares NOT NULL', () => {
    const statements = applyStagedRows({ ...spec, notNullColumns: ['sale_date'] });
    expect(statements[4]).toBe('DELETE FROM "analytics"."daily_sales" WHERE EXISTS (SELECT 1 FROM etl_touched_0 g WHERE "analytics"."daily_sales"."sale_date" = g."sale_date")');
  });

  it('replaces everything on a full refresh, without TRUNCATE (it commits on Redshift)', () => {
    const statements = applyStagedRows({ ...spec, mode: 'full-refresh', dialect: 'redshift' });
    expect(statements.slice(0, 2)).toEqual([
      'DELETE FROM "analytics"."sales_fact"',
      'INSERT INTO "analytics"."sales_fact" ("sale_id", "sale_date", "amount") SELECT "sale_id", "sale_date", "amount" FROM etl_stage',
    ]);
    expect(statements.join('\n')).not.toMatch(/TRUNCATE/i);
    expect(statements.join('\n')).toContain('getdate()');
  });
});

describe('checksums agree across engines by construction', () => {
  it('hashes the same key text in each dialect', () => {
    expect(keyHashExpr({ dialect: 'duckdb', keys: ['id'] })).toBe(`CAST(('0x' || substr(md5(CAST("id" AS VARCHAR)), 1, 15)) AS BIGINT)`);
    expect(keyHashExpr({ dialect: 'postgres', keys: ['a', 'b'], alias: 't' })).toBe(`('x' || substr(md5(CAST(t."a" AS text) || '|' || CAST(t."b" AS text)), 1, 15))::bit(60)::bigint`);
    expect(keyHashExpr({ dialect: 'redshift', keys: ['id'] })).toBe(`strtol(substring(md5(CAST("id" AS varchar)), 1, 15), 16)`);
    // Postgres sums the bigint hashes in its exact 128-bit accumulator; Redshift and DuckDB widen each term.
    expect(keyChecksumSelect({ dialect: 'postgres', keys: ['id'] })).toContain(`sum(('x' || substr(md5(CAST("id" AS text)), 1, 15))::bit(60)::bigint)`);
    expect(keyChecksumSelect({ dialect: 'redshift', keys: ['id'] })).toContain('sum(CAST(strtol(');
    expect(keyChecksumSelect({ dialect: 'duckdb', keys: ['id'] })).toContain('AS HUGEINT))');
  });
});

describe('extract statements', () => {
  it('reads a window in key ranges fixed before each copy, values as literals', () => {
    const window = { column: 'updated_at', from: '2026-01-01', to: "2026-01-02'" };
    const sql = copyPartToStdout({ source: 'raw.sales', columns: [{ name: 'id', pgType: 'bigint', duckdbType: 'BIGINT', category: 'integer' }], window, chunkKey: ['id'], after: ['41'], upTo: ['1040'] });
    expect(sql).toBe(
      `COPY (SELECT "id" FROM "raw"."sales" WHERE ("updated_at" > '2026-01-01' AND "updated_at" <= '2026-01-02''' OR "updated_at" IS NULL) AND ("id") > ('41') AND ("id") <= ('1040')) TO STDOUT WITH (FORMAT csv)`,
    );
    expect(selectPartEnd({ source: 'raw.sales', window, chunkKey: ['a', 'b'], after: ['1', 'x'], partRows: 1000 })).toBe(
      `SELECT "a"::text, "b"::text FROM "raw"."sales" WHERE ("updated_at" > '2026-01-01' AND "updated_at" <= '2026-01-02''' OR "updated_at" IS NULL) AND ("a", "b") > ('1', 'x') ORDER BY "a", "b" LIMIT 1 OFFSET 999`,
    );
    expect(selectWindowBounds({ source: 'raw.sales', column: 'updated_at' })).toBe(
      'SELECT count(*)::bigint AS row_count, count(*) FILTER (WHERE "updated_at" IS NULL)::bigint AS null_rows, max("updated_at")::text AS upper_bound FROM "raw"."sales"',
    );
    // A later window: the range and the NULLs counted apart, each an index range (never one OR filter).
    expect(selectWindowBounds({ source: 'raw.sales', column: 'updated_at', from: '2026-01-01' })).toBe(
      `SELECT w.n + z.n AS row_count, z.n AS null_rows, w.high::text AS upper_bound FROM (SELECT count(*)::bigint AS n, max("updated_at") AS high FROM "raw"."sales" WHERE "updated_at" > '2026-01-01') w, (SELECT count(*)::bigint AS n FROM "raw"."sales" WHERE "updated_at" IS NULL) z`,
    );
  });

  it('maps Postgres types to DuckDB keeping precision and time zones', () => {
    expect(duckdbTypeFor('numeric(12,2)')).toBe('DECIMAL(12,2)');
    expect(duckdbTypeFor('timestamp with time zone')).toBe('TIMESTAMP WITH TIME ZONE');
    expect(duckdbTypeFor('character varying(40)')).toBe('VARCHAR');
    expect(duckdbTypeFor('jsonb')).toBe('JSON');
    expect(isOrderableWatermark('timestamp with time zone')).toBe(true);
    expect(isOrderableWatermark('bigint')).toBe(true);
    expect(isOrderableWatermark('boolean')).toBe(false);
    expect(isOrderableWatermark('jsonb')).toBe(false);
  });
});

describe('table order', () => {
  it('puts dimensions before facts and finds cycles', () => {
    const tables = [
      { name: 'sales', dependsOn: ['customers', 'products'] },
      { name: 'customers', dependsOn: [] },
      { name: 'products', dependsOn: [] },
    ];
    expect(orderTableLevels(tables).levels.map((level) => level.map((table) => table.name))).toEqual([['customers', 'products'], ['sales']]);
    expect(orderTableLevels([{ name: 'a', dependsOn: ['b'] }, { name: 'b', dependsOn: ['a'] }]).cycle.map((table) => table.name)).toEqual(['a', 'b']);
  });
});
