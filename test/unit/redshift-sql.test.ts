import { STAGE_TABLE, createStageTable, createTargetTable } from '../../src/connectors/targets/load-plan';
import { createStateTables } from '../../src/connectors/targets/state-sql';
import {
  buildLoadBatch,
  copyParquetFromS3,
  reconcileGuard,
  reconcileStageOf,
  selectLoadErrors,
  selectTableExists,
  type RedshiftLoadSpec,
} from '../../src/connectors/targets/redshift/sql';
import { guardedColumnsOf } from '../../src/connectors/targets/redshift/column-guards';
import { ORDERS_TABLE } from '../support/orders-table';

const spec: RedshiftLoadSpec = {
  ...ORDERS_TABLE,
  rollups: [{ target: 'analytics.daily_sales', refreshBy: 'sale_date', groupBy: ['sale_date'], measures: { total: 'sum(amount)' } }],
  runId: "run-o'brien",
  watermark: '2024-01-31',
  s3Prefix: 's3://lake/processed/orders/run-1/',
  iamRoleArn: 'arn:aws:iam::123456789012:role/redshift-copy',
  expected: { rows: 3, keyChecksum: '1234567890', columnChecksums: { order_id: '11', amount: "it's", sale_date: '33' }, rowChecksum: '44' },
};

const stageHash = "strtol(substring(md5(CAST(\"order_id\" AS varchar)), 1, 15), 16)";
const targetHash = "strtol(substring(md5(CAST(t.\"order_id\" AS varchar)), 1, 15), 16)";
const checksum = (hash: string) => `count(*) AS row_count, CAST(coalesce(sum(CAST(${hash} AS DECIMAL(38, 0))), 0) AS varchar) AS key_checksum`;
const guard = (stage: string, counted: string) =>
  `/* etl:reconcile:${stage} */ SELECT CASE WHEN row_count = 3 AND key_checksum = '1234567890' THEN 1 ELSE 1 / (row_count - row_count) END AS reconciled FROM (${counted}) counted`;

describe('Redshift statements', () => {
  it('copies Parquet from an S3 prefix into a quoted table', () => {
    expect(copyParquetFromS3({ table: STAGE_TABLE, s3Prefix: 's3://lake/processed/orders/', iamRoleArn: 'arn:aws:iam::1:role/r' })).toBe(
      `COPY "etl_stage" FROM 's3://lake/processed/orders/' IAM_ROLE 'arn:aws:iam::1:role/r' FORMAT AS PARQUET`,
    );
    expect(copyParquetFromS3({ table: 'raw.we"ird', s3Prefix: "s3://b/it's/", iamRoleArn: 'arn:x' })).toBe(
      `COPY "raw"."we""ird" FROM 's3://b/it''s/' IAM_ROLE 'arn:x' FORMAT AS PARQUET`,
    );
  });

  it('reads the newest load errors, of one query when its id is known', () => {
    expect(selectLoadErrors({ limit: 5 })).toBe(
      'SELECT trim(file_name) AS file_name, line_number, trim(column_name) AS column_name, error_code, trim(error_message) AS error_message FROM sys_load_error_detail ORDER BY start_time DESC LIMIT 5',
    );
    expect(selectLoadErrors({ limit: 5, queryId: 42 })).toContain('FROM sys_load_error_detail WHERE query_id = 42 ORDER BY start_time DESC LIMIT 5');
    expect(selectLoadErrors({ limit: 5, queryId: -1 })).not.toContain('WHERE');
    expect(() => selectLoadErrors({ limit: 2.5 })).toThrow(RangeError);
  });

  it('checks a table exists with escaped literals', () => {
    expect(selectTableExists({ qualifiedName: "analytics.o'rders" })).toBe(
      "SELECT count(*) AS n FROM information_schema.tables WHERE lower(table_schema) = lower('analytics') AND lower(table_name) = lower('o''rders')",
    );
  });

  it('builds a guard that fails at run time and carries its marker', () => {
    const sql = reconcileGuard({ stage: 'stage', counted: 'SELECT 1', expected: { rows: 0, keyChecksum: "it's" } });
    expect(sql).toBe(
      "/* etl:reconcile:stage */ SELECT CASE WHEN row_count = 0 AND key_checksum = 'it''s' THEN 1 ELSE 1 / (row_count - row_count) END AS reconciled FROM (SELECT 1) counted",
    );
    expect(reconcileStageOf(sql)).toBe('stage');
    expect(reconcileStageOf('SELECT 1 / 0')).toBeUndefined();
    expect(() => reconcileGuard({ stage: 'target', counted: 'SELECT 1', expected: { rows: -1, keyChecksum: '0' } })).toThrow(RangeError);
  });
});

describe('Redshift load batch', () => {
  it('runs state, target, stage, COPY, guard, merge, rollups, watermark and guard, in that order', () => {
    const batch = buildLoadBatch(spec);
    const plan = { ...spec, dialect: 'redshift' as const };
    const state = createStateTables().length;
    expect(batch.slice(0, state)).toEqual(createStateTables());
    expect(batch.slice(state, state + 2)).toEqual(createTargetTable(plan));
    expect(batch[state + 2]).toBe(createStageTable(plan));
    expect(batch[state + 2]).toBe('CREATE TEMP TABLE etl_stage (LIKE "analytics"."orders")');
    expect(batch[state + 3]).toBe(
      `COPY "etl_stage" FROM 's3://lake/processed/orders/run-1/' IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-copy' FORMAT AS PARQUET`,
    );
    expect(batch[state + 4]).toBe(guard('stage', `SELECT ${checksum(stageHash)} FROM etl_stage`));
    expect(batch[state + 5]).toMatch(/^CREATE TEMP TABLE etl_touched_0 AS SELECT DISTINCT "sale_date"/);
    expect(batch[state + 6]).toBe('DELETE FROM "analytics"."orders" USING etl_stage WHERE "analytics"."orders"."order_id" = etl_stage."order_id"');
    expect(batch[state + 7]).toBe('INSERT INTO "analytics"."orders" ("order_id", "amount", "sale_date") SELECT "order_id", "amount", "sale_date" FROM etl_stage');
    expect(batch[state + 8]).toMatch(/^DELETE FROM "analytics"."daily_sales" WHERE EXISTS \(SELECT 1 FROM etl_touched_0 g WHERE coalesce\("analytics"."daily_sales"."sale_date", CAST\('2000-01-01' AS DATE\)\) = /);
    expect(batch[state + 9]).toMatch(/^INSERT INTO "analytics"."daily_sales" SELECT "sale_date", sum\("amount"\) AS "total"/);
    expect(batch[state + 10]).toBe("DELETE FROM etl_state.loads WHERE pipeline = 'shop' AND table_name = 'orders' AND run_id = 'run-o''brien'");
    expect(batch[state + 11]).toContain('INSERT INTO etl_state.loads');
    expect(batch[state + 12]).toBe("DELETE FROM etl_state.watermarks WHERE pipeline = 'shop' AND table_name = 'orders'");
    expect(batch[state + 13]).toContain("VALUES ('shop', 'orders', '2024-01-31', 'run-o''brien', getdate())");
    expect(batch[state + 14]).toBe(
      guard('target', `SELECT ${checksum(targetHash)} FROM "analytics"."orders" t JOIN etl_stage s ON t."order_id" = s."order_id"`),
    );
    expect(batch[state + 15]).toMatch(/^CREATE TEMP TABLE etl_column_checks AS SELECT CAST\(coalesce\(sum\(CAST\(strtol\(substring\(md5\(CAST\(t\."order_id" AS varchar\) \|\| '\|' \|\| coalesce\('v' \|\| CAST\(t\."order_id" AS VARCHAR\(65535\)\), 'n'\)\)/);
    expect(batch[state + 15]).toMatch(/ FROM "analytics"."orders" t JOIN etl_stage s ON t."order_id" = s."order_id"$/);
    expect(batch.slice(state + 16)).toEqual([
      "/* etl:reconcile:columns:0 */ SELECT CASE WHEN c_0 = '11' THEN 1 ELSE 1 / (length(c_0) - length(c_0)) END AS reconciled FROM etl_column_checks",
      "/* etl:reconcile:columns:1 */ SELECT CASE WHEN c_1 = 'it''s' THEN 1 ELSE 1 / (length(c_1) - length(c_1)) END AS reconciled FROM etl_column_checks",
      "/* etl:reconcile:columns:2 */ SELECT CASE WHEN c_2 = '33' THEN 1 ELSE 1 / (length(c_2) - length(c_2)) END AS reconciled FROM etl_column_checks",
    ]);
    expect(batch).toHaveLength(state + 19);
  });

  it('groups the column guards of a wide table so the batch stays within the Data API limit of 40 statements', () => {
    const columns = Array.from({ length: 60 }, (_, index) => ({ name: `c${index}`, type: 'INTEGER' }));
    const batch = buildLoadBatch({ ...spec, keys: ['c0'], columns, expected: { ...spec.expected, columnChecksums: {} } });
    expect(batch.length).toBeLessThanOrEqual(40);
    const guarded = batch.map((sql) => guardedColumnsOf(sql)).filter((indices) => indices !== undefined);
    expect(guarded.flat()).toEqual(columns.map((_, index) => index));
    expect(guarded.every((indices) => indices.length <= 4)).toBe(true);
  });

  it('deletes everything before inserting on a full refresh and rebuilds whole rollups', () => {
    const batch = buildLoadBatch({ ...spec, mode: 'full-refresh', watermark: undefined });
    const apply = batch.slice(createStateTables().length + 5, -5);
    expect(apply.slice(0, 4)).toEqual([
      'DELETE FROM "analytics"."orders"',
      'INSERT INTO "analytics"."orders" ("order_id", "amount", "sale_date") SELECT "order_id", "amount", "sale_date" FROM etl_stage',
      'DELETE FROM "analytics"."daily_sales"',
      'INSERT INTO "analytics"."daily_sales" SELECT "sale_date", sum("amount") AS "total" FROM "analytics"."orders" GROUP BY "sale_date"',
    ]);
    expect(batch.some((sql) => /^(DELETE FROM|INSERT INTO) etl_state.watermarks/.test(sql))).toBe(false);
    expect(batch.some((sql) => /TRUNCATE/i.test(sql))).toBe(false);
    expect(reconcileStageOf(batch.at(-5))).toBe('target');
  });
});

describe('Redshift load batch with deletes', () => {
  const sourceKeys = { bucket: 'lake', key: 'raw-data/orders/run_date=2024-01-31/run-1/source-keys.parquet' };

  it('stages the source key set, folds deleted rows into the touched rollup values, then deletes them before the rollups', () => {
    const batch = buildLoadBatch({ ...spec, deletes: 'propagate', sourceKeys });
    const at = (pattern: RegExp) => batch.findIndex((sql) => pattern.test(sql));
    expect(batch).toContain('CREATE TEMP TABLE etl_source_keys AS SELECT "order_id" FROM "analytics"."orders" WHERE 1 = 0');
    expect(batch).toContain(`COPY "etl_source_keys" FROM 's3://lake/${sourceKeys.key}' IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-copy' FORMAT AS PARQUET`);
    const collect = at(/^INSERT INTO etl_touched_0 SELECT DISTINCT "analytics"\."orders"\."sale_date"/);
    const remove = at(/^\/\* etl:deletes \*\/ DELETE FROM "analytics"\."orders" WHERE NOT EXISTS \(SELECT 1 FROM etl_source_keys k WHERE k\."order_id" = "analytics"\."orders"\."order_id"\) AND NOT EXISTS \(SELECT 1 FROM etl_stage s/);
    const rollups = at(/^DELETE FROM "analytics"\."daily_sales"/);
    expect(collect).toBeGreaterThan(at(/^COPY "etl_source_keys"/));
    expect(remove).toBeGreaterThan(collect);
    expect(rollups).toBeGreaterThan(remove);
    expect(reconcileStageOf(batch.at(-5))).toBe('target');
    expect(batch.slice(-3).map((sql) => guardedColumnsOf(sql))).toEqual([[0], [1], [2]]);
  });

  it('marks instead of deleting with deletes: soft, and the rollups count only live rows', () => {
    const batch = buildLoadBatch({ ...spec, deletes: 'soft', sourceKeys });
    expect(batch.some((sql) => /^\/\* etl:deletes \*\/ UPDATE "analytics"\."orders" SET "is_deleted" = true, "deleted_at" = getdate\(\) WHERE NOT "is_deleted" AND NOT EXISTS/.test(sql))).toBe(true);
    expect(batch.find((sql) => /^INSERT INTO "analytics"\."daily_sales"/.test(sql))).toMatch(/AND NOT "is_deleted" GROUP BY/);
    expect(batch.find((sql) => sql.startsWith('CREATE TABLE IF NOT EXISTS "analytics"."orders"'))).toContain('"is_deleted" BOOLEAN NOT NULL DEFAULT false, "deleted_at" TIMESTAMP');
  });

  it('touches nothing the source may have deleted without its key set', () => {
    const batch = buildLoadBatch({ ...spec, deletes: 'propagate' });
    expect(batch.join('\n')).not.toMatch(/etl_source_keys|etl:deletes/);
  });
});

describe('Redshift load batch of a reprocess that withdraws rows', () => {
  const withdrawnKeys = { bucket: 'lake', key: 'rejected/orders/run_date=2024-01-31/rp-1.2024-01-31/withdrawn-keys.parquet' };

  it('stages the withdrawn keys, folds their rows into the touched rollup values, and deletes them (not staged again) before the rollups', () => {
    const batch = buildLoadBatch({ ...spec, watermark: undefined, withdrawnKeys });
    const at = (pattern: RegExp) => batch.findIndex((sql) => pattern.test(sql));
    expect(batch).toContain('CREATE TEMP TABLE etl_withdrawn_keys AS SELECT "order_id" FROM "analytics"."orders" WHERE 1 = 0');
    expect(batch).toContain(`COPY "etl_withdrawn_keys" FROM 's3://lake/${withdrawnKeys.key}' IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-copy' FORMAT AS PARQUET`);
    const collect = at(/^INSERT INTO etl_touched_0 SELECT DISTINCT "analytics"\."orders"\."sale_date" FROM "analytics"\."orders" WHERE EXISTS \(SELECT 1 FROM etl_withdrawn_keys w/);
    const remove = at(/^\/\* etl:withdrawn \*\/ DELETE FROM "analytics"\."orders" WHERE EXISTS \(SELECT 1 FROM etl_withdrawn_keys w WHERE w\."order_id" = "analytics"\."orders"\."order_id"\) AND NOT EXISTS \(SELECT 1 FROM etl_stage s WHERE s\."order_id" = "analytics"\."orders"\."order_id"\)$/);
    expect(collect).toBeGreaterThan(at(/^COPY "etl_withdrawn_keys"/));
    expect(remove).toBeGreaterThan(collect);
    expect(at(/^DELETE FROM "analytics"\."daily_sales"/)).toBeGreaterThan(remove);
    expect(batch.join('\n')).not.toMatch(/etl_source_keys|etl:deletes|INSERT INTO etl_state\.watermarks/);
  });

  it('removes withdrawn rows of a soft-delete target instead of marking them, and keeps its columns without a source key set', () => {
    const batch = buildLoadBatch({ ...spec, watermark: undefined, deletes: 'soft', withdrawnKeys });
    expect(batch.some((sql) => sql.startsWith('/* etl:withdrawn */ DELETE FROM "analytics"."orders"'))).toBe(true);
    expect(batch.join('\n')).not.toMatch(/etl:deletes|SET "is_deleted" = true/);
    expect(batch.find((sql) => sql.startsWith('CREATE TABLE IF NOT EXISTS "analytics"."orders"'))).toContain('"is_deleted" BOOLEAN NOT NULL DEFAULT false');
    expect(batch.find((sql) => /^INSERT INTO "analytics"\."daily_sales"/.test(sql))).toMatch(/AND NOT "is_deleted" GROUP BY/);
  });
});
