import { keySetSelect } from '../sql/key-set';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Pool } from 'pg';
import { copyFromFile, copyToFile } from '../connectors/pg/copy';
import { referenceRelation } from '../transform/relations';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { orderTableLevels } from '../config/table-order';
import { copyToCsvFile, copyToParquetFile, selectCsvSpool } from '../sql/duckdb-read';
import { copyPartToStdout, SELECT_TABLE_CATALOG, type ExtractWindow } from '../connectors/sources/postgres/sql';
import { hasUnrepresentableMarker, sourceColumnFor, UNREPRESENTABLE_COLUMN, type SourceColumn } from '../sql/type-map';
import { quoteIdent, quoteLiteral } from '../sql/quote';
import { selectRollup } from '../sql/rollup';
import { compileTransform, REJECT_COLUMN } from '../transform/compile';
import { warehouseType } from '../sql/warehouse-types';

export interface FloorInput {
  source: Pool;
  warehouse: Pool;
  duckdb: DuckDBInstance;
  dir: string;
  schema: string;
}

export const FLOOR_SCHEMA = 'bench_floor';

export const rawPath = (dir: string, table: string) => join(dir, `${table}.parquet`);

/** COPY of a source table (or of a window of it) to a CSV file, with the columns' types from the type map. */
export async function copySourceToCsv(input: FloorInput & { table: TableSpec; window?: ExtractWindow }) {
  const catalog = await input.source.query<{ name: string; pg_type: string }>(SELECT_TABLE_CATALOG, [input.table.source]);
  const columns = catalog.rows.map((row) => sourceColumnFor(row.name, row.pg_type));
  const csv = join(input.dir, `${input.table.name}.csv`);
  const client = await input.source.connect();
  try {
    await copyToFile({ client, sql: copyPartToStdout({ source: input.table.source, columns, chunkKey: [], window: input.window }), path: csv });
  } finally {
    client.release();
  }
  return { csv, columns };
}

function acceptedKeysPath(dir: string, table: string): string {
  return join(dir, `${table}.accepted-keys.parquet`);
}

/** Key sets of referenced tables: the keys they accepted (the floor moves tables in dependency order). */
async function defineReferences(connection: DuckDBConnection, input: { table: TableSpec; dir: string }) {
  for (const step of input.table.transform) {
    if (step.kind !== 'references') continue;
    const keys = `SELECT * FROM read_parquet(${quoteLiteral(acceptedKeysPath(input.dir, step.body.table))})`;
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${referenceRelation(step.body.table)} AS ${keys}`);
  }
}

export interface CsvOutput {
  target: string;
  path: string;
  columns: { name: string; type: string }[];
  keys: readonly string[];
}

async function writeCsv(connection: DuckDBConnection, input: { query: string; path: string }) {
  const columns = (await connection.runAndReadAll(`DESCRIBE ${input.query}`)).getRows().map(([name, type]) => ({ name: String(name), type: String(type) }));
  await connection.run(copyToCsvFile(input));
  return columns;
}

/** Raw Parquet, the same transform SQL, then CSV files for the target and each rollup. */
export async function transformToCsv(
  connection: DuckDBConnection,
  input: FloorInput & { pipeline: Pipeline; table: TableSpec; csv: string; columns: SourceColumn[]; references?: (connection: DuckDBConnection) => Promise<void> },
): Promise<CsvOutput[]> {
  const { table, dir } = input;
  await connection.run("SET TimeZone = 'UTC'");
  await connection.run('SET preserve_insertion_order = false');
  await connection.run(copyToParquetFile({ query: selectCsvSpool({ path: input.csv, columns: input.columns }), path: rawPath(dir, table.name) }));
  await (input.references ? input.references(connection) : defineReferences(connection, input));
  // As the pipeline does: rows with an unrepresentable value are set aside before the steps, the marker is not loaded.
  const raw = `read_parquet(${quoteLiteral(rawPath(dir, table.name))})`;
  const marker = quoteIdent(UNREPRESENTABLE_COLUMN);
  const source = hasUnrepresentableMarker(input.columns) ? `(SELECT * EXCLUDE (${marker}) FROM ${raw} WHERE ${marker} IS NULL)` : raw;
  const transformed = compileTransform({ source, steps: table.transform, context: { keys: table.primaryKey, referenceRelation } });
  await connection.run(`CREATE OR REPLACE TEMP TABLE floor_accepted AS SELECT * EXCLUDE (${REJECT_COLUMN}) FROM (${transformed}) WHERE ${REJECT_COLUMN} IS NULL`);
  const keySet = keySetSelect({ keys: table.primaryKey, cast: (column) => `CAST(${column} AS VARCHAR)` });
  await connection.run(copyToParquetFile({ query: `SELECT DISTINCT ${keySet.select} FROM floor_accepted WHERE ${keySet.where}`, path: acceptedKeysPath(dir, table.name) }));
  const main = { target: table.target, path: join(dir, `${table.name}.out.csv`), keys: table.primaryKey };
  const outputs = [{ ...main, columns: await writeCsv(connection, { query: 'SELECT * FROM floor_accepted', path: main.path }) }];
  for (const [index, rollup] of table.rollups.entries()) {
    const path = join(dir, `${table.name}.rollup-${index}.csv`);
    outputs.push({ target: rollup.target, path, keys: [], columns: await writeCsv(connection, { query: selectRollup({ rollup, from: 'floor_accepted' }), path }) });
  }
  await connection.run('DROP TABLE floor_accepted');
  return outputs;
}

/** Where the floor keeps a pipeline target: schema.target becomes <floor schema>."schema_target". */
/** The floor's table for a pipeline target, as schema.table (unquoted; floorTable quotes it). */
export function floorTableName(schema: string, target: string): string {
  return `${schema}.${target.replace('.', '_')}`;
}

export function floorTable(schema: string, target: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(target.replace('.', '_'))}`;
}

/** CREATE TABLE, COPY, then the primary key built once (as the pipeline's initial load does). */
async function copyCsvIntoWarehouse(input: FloorInput & { output: CsvOutput }): Promise<number> {
  const { output } = input;
  const target = floorTable(input.schema, output.target);
  const ddl = output.columns.map((column) => `${quoteIdent(column.name)} ${warehouseType({ dialect: 'postgres', duckdbType: column.type, column: column.name })}`);
  await input.warehouse.query(`CREATE TABLE ${target} (${ddl.join(', ')})`);
  const loader = await input.warehouse.connect();
  try {
    await copyFromFile({ client: loader, sql: `COPY ${target} FROM STDIN WITH (FORMAT csv)`, path: output.path });
  } finally {
    loader.release();
  }
  if (output.keys.length > 0) await input.warehouse.query(`ALTER TABLE ${target} ADD PRIMARY KEY (${output.keys.map(quoteIdent).join(', ')})`);
  const rows = await input.warehouse.query<{ n: string }>(`SELECT count(*) AS n FROM ${target}`);
  return Number(rows.rows[0]?.n ?? 0);
}

/**
 * One table moved the plain way, to the same end state as the pipeline: COPY out → DuckDB → raw Parquet →
 * the same transform SQL (reference checks included) → COPY into a keyed warehouse table, plus its rollups
 * aggregated in DuckDB. No Temporal, no S3, no staging, no reconciliation.
 */
export async function moveTableDirectly(input: FloorInput & { pipeline: Pipeline; table: TableSpec }): Promise<{ rows: number; bytes: number }> {
  const { csv, columns } = await copySourceToCsv(input);
  const connection = await input.duckdb.connect();
  let outputs: CsvOutput[];
  try {
    outputs = await transformToCsv(connection, { ...input, csv, columns });
  } finally {
    connection.closeSync();
  }
  const [main, ...rollups] = outputs;
  const rows = main ? await copyCsvIntoWarehouse({ ...input, output: main }) : 0;
  for (const output of rollups) await copyCsvIntoWarehouse({ ...input, output });
  return { rows, bytes: (await stat(rawPath(input.dir, input.table.name))).size };
}

/** Runs the floor for every table of the pipeline, level by level in dependency order, into a scratch schema. */
export async function runFloor(input: Omit<FloorInput, 'schema'> & { pipeline: Pipeline; keep?: boolean }): Promise<{ seconds: number; rows: number }> {
  const schema = FLOOR_SCHEMA;
  await input.warehouse.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
  const started = Date.now();
  let rows = 0;
  // The tables of a dependency level side by side, as the pipeline runs them.
  for (const level of orderTableLevels(input.pipeline.tables).levels) {
    for (const moved of await Promise.all(level.map((table) => moveTableDirectly({ ...input, table, schema })))) rows += moved.rows;
  }
  const seconds = (Date.now() - started) / 1000;
  if (!input.keep) await input.warehouse.query(`DROP SCHEMA ${schema} CASCADE`);
  return { seconds, rows };
}
