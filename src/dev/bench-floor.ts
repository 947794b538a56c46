import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import type { Pool } from 'pg';
import { copyFromFile, copyToFile } from '../activities/pg-copy';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { copyToCsvFile, copyToParquetFile, readCsvSpool } from '../sql/duckdb-read';
import { copyPartToStdout, SELECT_TABLE_CATALOG } from '../sql/extract';
import { duckdbTypeFor } from '../sql/pg-types';
import { quoteIdent, quoteLiteral } from '../sql/quote';
import { compileTransform, REJECT_COLUMN } from '../sql/transform';
import { warehouseType } from '../sql/warehouse-types';

/** The floor has no key sets of other tables; reference checks are the one rule it skips. */
function withoutReferences(table: TableSpec) {
  return table.transform.filter((step) => step.kind !== 'references');
}

/**
 * The floor the pipeline is measured against: the same data and the same transform SQL moved by a plain
 * script, with no Temporal, no S3, no staging or reconciliation: COPY out → DuckDB → Parquet → transform →
 * COPY into a fresh warehouse table.
 */
export async function moveTableDirectly(input: { table: TableSpec; source: Pool; warehouse: Pool; duckdb: DuckDBInstance; dir: string; schema: string }): Promise<{ rows: number; bytes: number }> {
  const { table, dir } = input;
  const catalog = await input.source.query<{ name: string; pg_type: string }>(SELECT_TABLE_CATALOG, [table.source]);
  const columns = catalog.rows.map((row) => ({ name: row.name, pgType: row.pg_type, duckdbType: duckdbTypeFor(row.pg_type) }));
  const csv = join(dir, `${table.name}.csv`);
  const client = await input.source.connect();
  try {
    await copyToFile({ client, sql: copyPartToStdout({ source: table.source, columns, chunkKey: [] }), path: csv });
  } finally {
    client.release();
  }
  const connection = await input.duckdb.connect();
  const raw = join(dir, `${table.name}.parquet`);
  const out = join(dir, `${table.name}.out.csv`);
  let described: { name: string; type: string }[];
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(copyToParquetFile({ query: `SELECT * FROM ${readCsvSpool({ path: csv, columns })}`, path: raw }));
    const transformed = compileTransform({ source: `read_parquet(${quoteLiteral(raw)})`, steps: withoutReferences(table), context: { keys: table.primaryKey, referenceRelation: (name) => name } });
    const accepted = `SELECT * EXCLUDE (${REJECT_COLUMN}) FROM (${transformed}) WHERE ${REJECT_COLUMN} IS NULL`;
    described = (await connection.runAndReadAll(`DESCRIBE ${accepted}`)).getRows().map(([name, type]) => ({ name: String(name), type: String(type) }));
    await connection.run(copyToCsvFile({ query: accepted, path: out }));
  } finally {
    connection.closeSync();
  }
  const target = `${quoteIdent(input.schema)}.${quoteIdent(table.name)}`;
  const ddl = described.map((column) => `${quoteIdent(column.name)} ${warehouseType({ dialect: 'postgres', duckdbType: column.type, column: column.name })}`);
  await input.warehouse.query(`CREATE TABLE ${target} (${ddl.join(', ')})`);
  const loader = await input.warehouse.connect();
  try {
    await copyFromFile({ client: loader, sql: `COPY ${target} FROM STDIN WITH (FORMAT csv)`, path: out });
  } finally {
    loader.release();
  }
  const rows = await input.warehouse.query<{ n: string }>(`SELECT count(*) AS n FROM ${target}`);
  return { rows: Number(rows.rows[0]?.n ?? 0), bytes: (await stat(raw)).size };
}

/** Runs the floor for every table of the pipeline, in dependency order, into a scratch schema. */
export async function runFloor(input: { pipeline: Pipeline; source: Pool; warehouse: Pool; duckdb: DuckDBInstance; dir: string }): Promise<{ seconds: number; rows: number }> {
  const schema = 'bench_floor';
  await input.warehouse.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const started = Date.now();
  let rows = 0;
  for (const table of input.pipeline.tables) rows += (await moveTableDirectly({ ...input, table, schema })).rows;
  const seconds = (Date.now() - started) / 1000;
  await input.warehouse.query(`DROP SCHEMA ${schema} CASCADE`);
  return { seconds, rows };
}
