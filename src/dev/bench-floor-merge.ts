import { keySetColumns } from '../sql/key-set';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { PoolClient } from 'pg';
import { copyFromFile, copyToFile } from '../connectors/pg/copy';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { orderTableLevels } from '../config/table-order';
import { quoteIdent, quoteLiteral, quoteQualified } from '../sql/quote';
import type { ColumnSpec } from '../sql/warehouse-types';
import { SELECT_NOT_NULL_COLUMNS } from '../connectors/targets/load-plan';
import { copyKeysToStdout } from '../connectors/sources/postgres/sql';
import { collectTouchedGroups, rebuildTouchedGroups, touchedGroupsTable } from '../connectors/targets/rollup-refresh';
import { referenceRelation } from '../transform/relations';
import { copySourceToCsv, floorTable, floorTableName, FLOOR_SCHEMA, transformToCsv, type FloorInput } from './bench-floor';

type MergeInput = Omit<FloorInput, 'schema'> & { pipeline: Pipeline };

async function firstValue(client: Pick<PoolClient, 'query'>, sql: string): Promise<string | undefined> {
  const row = (await client.query<{ v: string | null }>(sql)).rows[0];
  return row?.v ?? undefined;
}

/** Reference key sets from the floor's own warehouse tables, read as the pipeline reads them: every key accepted so far, not only this window's. */
function referencesFromWarehouse(input: MergeInput & { table: TableSpec }) {
  return async (connection: DuckDBConnection) => {
    for (const step of input.table.transform) {
      if (step.kind !== 'references') continue;
      const referenced = input.pipeline.tables.find((table) => table.name === step.body.table);
      const keys = referenced?.primaryKey ?? [];
      const csv = join(input.dir, `${step.body.table}.keys.csv`);
      const client = await input.warehouse.connect();
      try {
        await copyToFile({ client, sql: copyKeysToStdout({ source: floorTableName(FLOOR_SCHEMA, referenced?.target ?? ''), columns: keys }), path: csv });
      } finally {
        client.release();
      }
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${referenceRelation(step.body.table)} AS SELECT * FROM read_csv(${quoteLiteral(csv)}, columns = {${keySetColumns(keys.length).map((name) => `'${name}': 'VARCHAR'`).join(', ')}}, header = false)`);
    }
  };
}

/** Stage, delete-insert by key and rebuild the touched rollup groups, in one transaction: the plain nightly merge. */
async function mergeStaged(client: PoolClient, input: { table: TableSpec; csv: string; columns: readonly ColumnSpec[]; keysCsv?: string }): Promise<void> {
  const target = floorTable(FLOOR_SCHEMA, input.table.target);
  const unquoted = (name: string) => `${FLOOR_SCHEMA}.${name.replace('.', '_')}`;
  const keys = input.table.primaryKey.map(quoteIdent);
  const join_ = keys.map((key) => `t.${key} = s.${key}`).join(' AND ');
  // With deletes: the target rows whose key the source no longer has.
  const gone = `NOT EXISTS (SELECT 1 FROM floor_keys k WHERE ${keys.map((key) => `k.${key} = t.${key}`).join(' AND ')})`;
  // The same touched-groups rebuild the pipeline runs (stage 'floor_stage'), knowing the same NOT NULL columns
  // (the pipeline's target's), so the floor does the same work.
  const notNullColumns = (await client.query<{ name: string }>(SELECT_NOT_NULL_COLUMNS, [quoteQualified(input.table.target)])).rows.map((row) => row.name);
  const rollups = input.table.rollups.map((rollup, index) => ({ rollup: { ...rollup, target: unquoted(rollup.target) }, index, dialect: 'postgres' as const, columns: input.columns, notNullColumns, target: unquoted(input.table.target) }));
  await client.query('BEGIN');
  await client.query(`CREATE TEMP TABLE floor_stage (LIKE ${target}) ON COMMIT DROP`);
  await copyFromFile({ client, sql: 'COPY floor_stage FROM STDIN WITH (FORMAT csv)', path: input.csv });
  if (input.keysCsv) {
    await client.query(`CREATE TEMP TABLE floor_keys ON COMMIT DROP AS SELECT ${keys.join(', ')} FROM ${target} WHERE false`);
    await copyFromFile({ client, sql: 'COPY floor_keys FROM STDIN WITH (FORMAT csv)', path: input.keysCsv });
  }
  for (const spec of rollups) {
    await client.query(collectTouchedGroups({ ...spec, stage: 'floor_stage', keyJoin: join_ }));
    const groups = spec.rollup.groupBy.map((column) => `t.${quoteIdent(column)}`).join(', ');
    if (input.keysCsv) await client.query(`INSERT INTO ${touchedGroupsTable(spec.index)} SELECT DISTINCT ${groups} FROM ${target} t WHERE ${gone}`);
  }
  await client.query(`DELETE FROM ${target} t USING floor_stage s WHERE ${join_}`);
  await client.query(`INSERT INTO ${target} SELECT * FROM floor_stage`);
  if (input.keysCsv) await client.query(`DELETE FROM ${target} t WHERE ${gone}`);
  for (const spec of rollups) for (const sql of rebuildTouchedGroups(spec)) await client.query(sql);
  await client.query('COMMIT');
}

/** One table's nightly merge the plain way: the rows past the floor's own watermark, the same transform, a staged merge. */
async function mergeTable(input: MergeInput & { table: TableSpec }): Promise<void> {
  const { table } = input;
  const watermark = table.watermark ?? '';
  const since = await firstValue(input.warehouse, `SELECT max(${quoteIdent(watermark)})::text AS v FROM ${floorTable(FLOOR_SCHEMA, table.target)}`);
  const upTo = await firstValue(input.source, `SELECT max(${quoteIdent(watermark)})::text AS v FROM ${quoteQualified(table.source)}`);
  if (!upTo || upTo === since) return;
  const { csv, columns } = await copySourceToCsv({ ...input, schema: FLOOR_SCHEMA, table, window: { column: watermark, from: since, to: upTo } });
  const connection = await input.duckdb.connect();
  let main: { path: string; columns: ColumnSpec[] } | undefined;
  try {
    [main] = await transformToCsv(connection, { ...input, schema: FLOOR_SCHEMA, table, csv, columns, references: referencesFromWarehouse({ ...input, table }) });
  } finally {
    connection.closeSync();
  }
  const keysCsv = table.deletes === 'propagate' ? join(input.dir, `${table.name}.source-keys.csv`) : undefined;
  if (keysCsv) {
    const source = await input.source.connect();
    try {
      await copyToFile({ client: source, sql: `COPY (SELECT ${table.primaryKey.map(quoteIdent).join(', ')} FROM ${quoteQualified(table.source)}) TO STDOUT WITH (FORMAT csv)`, path: keysCsv });
    } finally {
      source.release();
    }
  }
  const client = await input.warehouse.connect();
  try {
    if (main) await mergeStaged(client, { table, csv: main.path, columns: main.columns, keysCsv });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The floor of a nightly incremental run: the tables of each dependency level side by side (as the pipeline
 * runs them), each moving only the rows past its watermark into the floor's tables left by the initial floor.
 */
export async function runMergeFloor(input: MergeInput): Promise<{ seconds: number; rows: number }> {
  const started = Date.now();
  for (const level of orderTableLevels(input.pipeline.tables).levels) await Promise.all(level.map((table) => mergeTable({ ...input, table })));
  const seconds = (Date.now() - started) / 1000;
  let rows = 0;
  for (const table of input.pipeline.tables) rows += Number(await firstValue(input.warehouse, `SELECT count(*)::text AS v FROM ${floorTable(FLOOR_SCHEMA, table.target)}`));
  return { seconds, rows };
}
