import { keySetColumns } from '../../../sql/key-set';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../../../sql/quote';
import { ApplicationFailure } from '@temporalio/activity';
import type { TableSpec } from '../../../config/pipeline-schema';
import { copyToParquetFile, countParquetRows, selectCsvSpool } from '../../../sql/duckdb-read';
import { copyKeysToStdout, SELECT_TABLE_CATALOG, lookbackType, selectNumericMeasure, selectLookbackCheck, selectKeyRange, selectLookbackStart, selectRowCount, selectWindowBounds, type ExtractWindow } from './sql';
import { hasUnrepresentableMarker, isOrderableWatermark, mapSourceColumn, sourceColumnFor, UNREPRESENTABLE_COLUMN, needsMeasure, type NumericMeasure, type SourceColumn } from '../../../sql/type-map';
import { limitsOf, queryRow, withDuckdb } from '../../../transform/duckdb-session';
import { classifyPostgresError } from '../../../runtime/errors';
import type { ExtractDeps } from './extract';
import type { ExtractKeysInput, ExtractPlan, PlanExtractInput } from '../types';
import { uploadFile } from '../../../runtime/lake';
import { rawPrefix } from '../../../common/lake-layout';
import { copyToFile } from '../../pg/copy';
import type { DatabaseRole } from '../../../activities/postgres';
import { keepAlive } from '../../../runtime/heartbeat';
import { checkSourceContinuity } from './continuity';
import { planIntervalWindow } from './interval-window';
import { chooseChunkKey, isIntegerKey, type KeyRange } from './part-ranges';
import { withSpool } from '../../../runtime/spool';

interface CatalogRow {
  name: string;
  pg_type: string;
  not_null: boolean;
  key_position: number;
}

/** The looked-up columns as the table's catalog types them; a column it lacks fails the lookup, naming it. */
async function lookedUpColumns(deps: ExtractDeps, input: ExtractKeysInput): Promise<SourceColumn[]> {
  const catalog = await readCatalog(deps, input);
  return (input.columns ?? []).map((name) => {
    const row = catalog.find((candidate) => candidate.name === name);
    if (!row) {
      const message = `table ${input.table.name}: step lookup: ${input.table.source} has no column "${name}" (columns: ${catalog.map((c) => c.name).join(', ')}); fix the lookup's columns`;
      throw terminal(message, 'LookupColumnMissing');
    }
    return sourceColumnFor(name, row.pg_type);
  });
}

/** A looked-up value DuckDB cannot hold would become NULL: the lookup fails instead, naming the column. */
async function refuseUnrepresentable(connection: DuckDBConnection, input: { table: TableSpec; path: string }): Promise<void> {
  const [column] = await queryRow(connection, `SELECT min(${quoteIdent(UNREPRESENTABLE_COLUMN)}) FROM read_parquet(${quoteLiteral(input.path)})`);
  if (column === null || column === undefined) return;
  const message = `table ${input.table.name}: step lookup: column ${typeof column === 'string' ? column : '?'} of ${input.table.source} holds a value DuckDB cannot represent (infinite, NaN or out of range); fix that row or look up another column`;
  throw terminal(message, 'LookupValueUnrepresentable');
}

function terminal(message: string, type: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true });
}

async function readCatalog(deps: ExtractDeps, input: { table: TableSpec; database: DatabaseRole }): Promise<CatalogRow[]> {
  try {
    const result = await deps.pools[input.database].query<CatalogRow>(SELECT_TABLE_CATALOG, [input.table.source]);
    return result.rows;
  } catch (error) {
    throw classifyPostgresError(error, { table: input.table.name, source: input.table.source });
  }
}

/** Every `types:` override names a column the source has. */
function checkOverrides(table: TableSpec, catalog: CatalogRow[]): void {
  const unknown = Object.keys(table.types).filter((name) => !catalog.some((row) => row.name === name));
  if (unknown.length > 0) {
    throw terminal(`table ${table.name}: types names ${unknown.join(', ')}, which ${table.source} does not have (columns: ${catalog.map((row) => row.name).join(', ')})`, 'SourceColumnMissing');
  }
}

function checkWatermark(table: TableSpec, columns: Pick<SourceColumn, 'name' | 'pgType'>[]): void {
  if (!table.watermark) return;
  const column = columns.find((candidate) => candidate.name === table.watermark);
  if (!column) {
    throw terminal(`table ${table.name}: watermark column "${table.watermark}" does not exist in ${table.source} (columns: ${columns.map((c) => c.name).join(', ')})`, 'SourceColumnMissing');
  }
  if (!isOrderableWatermark(column.pgType)) {
    throw terminal(`table ${table.name}: watermark column "${column.name}" is ${column.pgType}, which cannot order changes; use a timestamp, date or integer column`, 'WatermarkNotOrderable');
  }
}

/** Where the window starts: after the saved watermark, or `lookback` before it (checked on every run, first included). */
async function windowStart(deps: ExtractDeps, input: { table: TableSpec; database: DatabaseRole; since?: string; columns: Pick<SourceColumn, 'name' | 'pgType'>[] }): Promise<string | undefined> {
  const { table, since } = input;
  const pgType = input.columns.find((column) => column.name === table.watermark)?.pgType;
  if (!table.lookback || !pgType) return since;
  const pool = deps.pools[input.database];
  try {
    if (since === undefined) {
      await pool.query(selectLookbackCheck({ pgType }), [table.lookback]);
      return undefined;
    }
    const result = await pool.query<{ start: string }>(selectLookbackStart({ pgType }), [since, table.lookback]);
    return result.rows[0]?.start ?? since;
  } catch (error) {
    if (!/^22/.test((error as { code?: string }).code ?? '')) throw classifyPostgresError(error, { table: table.name, source: table.source });
    const expected = lookbackType(pgType) === 'interval' ? 'an interval such as "15 minutes"' : `a ${pgType} value`;
    throw terminal(`table ${table.name}: lookback "${table.lookback}" does not fit watermark column "${table.watermark}" (${pgType}); expected ${expected}`, 'LookbackInvalid');
  }
}

type WindowPlan = Pick<ExtractPlan, 'window' | 'sourceRows' | 'nullWatermark'>;

async function planWindow(deps: ExtractDeps, input: { table: TableSpec; database: DatabaseRole; since?: string; columns: Pick<SourceColumn, 'name' | 'pgType'>[] }): Promise<WindowPlan> {
  const { table } = input;
  const pool = deps.pools[input.database];
  const from = await windowStart(deps, input);
  try {
    if (!table.watermark || table.mode === 'full-refresh') {
      const result = await pool.query<{ row_count: string }>(selectRowCount({ source: table.source }));
      return { sourceRows: Number(result.rows[0]?.row_count ?? 0) };
    }
    const result = await pool.query<{ row_count: string; null_rows: string; upper_bound: string | null }>(selectWindowBounds({ source: table.source, column: table.watermark, from, atLeast: from === input.since ? undefined : input.since }));
    const row = result.rows[0];
    const sourceRows = Number(row?.row_count ?? 0);
    const nullWatermark = { policy: table.nullWatermark, rows: Number(row?.null_rows ?? 0) };
    const to = row?.upper_bound ?? input.since;
    // No watermark value yet (an empty table, or only NULL watermarks): the whole table, which is those rows.
    if (to === undefined) return { window: undefined, sourceRows, nullWatermark };
    return { window: { column: table.watermark, from, to }, sourceRows, nullWatermark };
  } catch (error) {
    throw classifyPostgresError(error, { table: table.name, source: table.source });
  }
}

/** Measures, in one aggregate over the window, the numeric columns whose declared type cannot say how wide they are. */
async function measureNumerics(deps: ExtractDeps, input: { table: TableSpec; database: DatabaseRole; catalog: CatalogRow[]; window?: ExtractWindow }): Promise<Map<string, NumericMeasure>> {
  const { table } = input;
  const names = input.catalog.filter((row) => needsMeasure(row.pg_type) && !table.types[row.name]).map((row) => row.name);
  if (names.length === 0) return new Map();
  try {
    const sql = selectNumericMeasure({ source: table.source, columns: names, window: input.window });
    const row = (await deps.pools[input.database].query<Record<string, string | number>>(sql)).rows[0] ?? {};
    return new Map(names.map((name, index) => [name, { integerDigits: Number(row[`i${index}`] ?? 0), scale: Number(row[`s${index}`] ?? 0) }]));
  } catch (error) {
    throw classifyPostgresError(error, { table: table.name, source: table.source });
  }
}

/** Maps every column through the type map; a column that cannot be carried exactly stops the run here, before data moves. */
function mapColumns(input: { pipeline?: string; table: TableSpec; catalog: CatalogRow[]; measures: Map<string, NumericMeasure> }): SourceColumn[] {
  const { table } = input;
  return input.catalog.map((row) => {
    const mapped = mapSourceColumn({ name: row.name, pgType: row.pg_type, notNull: row.not_null, override: table.types[row.name], measure: input.measures.get(row.name) });
    if (!('refused' in mapped)) return mapped;
    const where = `${input.pipeline ? `pipeline ${input.pipeline}, ` : ''}table ${table.name}, column ${table.source}.${row.name} (${row.pg_type})`;
    throw terminal(
      `${where}: cannot be carried exactly: ${mapped.refused}; nothing was extracted. Set types: { ${row.name}: VARCHAR } on the table to carry its text form exactly (the warehouse column keeps type ${row.pg_type})`,
      'TypeRefused',
    );
  });
}

/** For a single integer chunk key, its span: parts are then cut by arithmetic instead of a query per part. */
async function planKeyRange(deps: ExtractDeps, input: { table: TableSpec; database: DatabaseRole; columns: SourceColumn[]; chunkKey: string[] }): Promise<KeyRange | undefined> {
  const [column, ...rest] = input.chunkKey;
  const pgType = input.columns.find((candidate) => candidate.name === column)?.pgType;
  if (!column || rest.length > 0 || !pgType || !isIntegerKey(pgType)) return undefined;
  try {
    const row = (await deps.pools[input.database].query<{ low: string | null; high: string | null }>(selectKeyRange({ source: input.table.source, column }))).rows[0];
    return row?.low && row.high ? { low: row.low, high: row.high } : undefined;
  } catch (error) {
    throw classifyPostgresError(error, { table: input.table.name, source: input.table.source });
  }
}

export function createPostgresPlan(deps: ExtractDeps) {
  return {
    /**
     * Checks a table against the source catalog (it exists, its watermark column exists and can order
     * changes) and fixes the window (since, max(watermark)] to extract. Runs for every table before any
     * data moves, so a bad pipeline fails without touching the warehouse.
     */
    async planExtract(input: PlanExtractInput): Promise<ExtractPlan> {
      const { table } = input;
      const catalog = await readCatalog(deps, input);
      if (catalog.length === 0) {
        throw terminal(`table ${table.name}: source ${table.source} does not exist in the ${input.database} database`, 'SourceTableMissing');
      }
      checkOverrides(table, catalog);
      const described = catalog.map((row) => ({ name: row.name, pgType: row.pg_type }));
      checkWatermark(table, described);
      const chunkKey = chooseChunkKey(catalog.filter((row) => row.key_position > 0).sort((a, b) => a.key_position - b.key_position).map((row) => ({ name: row.name, pgType: row.pg_type })));
      const sourceMark = await checkSourceContinuity({ ...input, pool: deps.pools[input.database], columns: described });
      const { window, sourceRows, nextWatermark, nullWatermark }: WindowPlan & Pick<ExtractPlan, 'nextWatermark'> =
        table.window === 'interval' && input.interval
          ? await planIntervalWindow({ table, pool: deps.pools[input.database], columns: described, since: input.since, interval: input.interval })
          : await planWindow(deps, { ...input, columns: described });
      const measures = await measureNumerics(deps, { ...input, catalog, window });
      const columns = mapColumns({ pipeline: input.pipeline, table, catalog, measures });
      const keyRange = await planKeyRange(deps, { ...input, columns, chunkKey });
      return { pipeline: input.pipeline, table: table.name, source: table.source, database: input.database, columns, chunkKey, window, sourceRows, nullWatermark, keyRange, sourceMark, nextWatermark };
    },

    /**
     * Copies the keys of a table to one Parquet file (etl_key, or etl_key_1… for a composite key), for
     * reference checks; with `columns`, the distinct keys and those columns, typed as the table holds them, for lookups.
     */
    async extractKeys(input: ExtractKeysInput): Promise<{ key: string; rows: number }> {
      const { table } = input;
      const looked = input.columns ?? [];
      const key = `${rawPrefix(input.location)}${looked.length > 0 ? `lookup-${looked.join('.')}` : 'keys'}.parquet`;
      const keyColumns: SourceColumn[] = keySetColumns(table.primaryKey.length).map((name) => ({ name, pgType: 'text', duckdbType: 'VARCHAR', category: 'text' }));
      const columns = [...keyColumns, ...(looked.length > 0 ? await lookedUpColumns(deps, input) : [])];
      return keepAlive(() => withSpool({ spoolDir: deps.spoolDir, name: `keys-${table.name}` }, async (dir) => {
        const csv = join(dir, 'keys.csv');
        const parquet = join(dir, 'keys.parquet');
        const sql = copyKeysToStdout({ source: table.source, columns: table.primaryKey, with: columns.slice(keyColumns.length) });
        const client = await deps.pools[input.database].connect();
        try {
          await copyToFile({ client, sql, path: csv });
        } catch (error) {
          throw classifyPostgresError(error, { table: table.name, source: table.source, column: table.primaryKey.join(', ') });
        } finally {
          client.release();
        }
        const rows = await withDuckdb({ duckdb: deps.duckdb, spool: dir, ...limitsOf(input), context: { table: table.name, step: 'keys' } }, async (connection) => {
          await connection.run(copyToParquetFile({ query: selectCsvSpool({ path: csv, columns }), path: parquet }));
          if (hasUnrepresentableMarker(columns)) await refuseUnrepresentable(connection, { table, path: parquet });
          return Number((await queryRow(connection, countParquetRows({ path: parquet })))[0]);
        });
        await uploadFile({ s3: deps.s3, lake: input.lake, key, path: parquet });
        return { key, rows };
      }));
    },
  };
}
