import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { DatabaseRole } from '../../../activities/postgres';
import type { TableSpec } from '../../../config/pipeline-schema';
import { classifyPostgresError } from '../../../runtime/errors';
import type { SourceColumn } from '../../../sql/pg-types';
import { quoteIdent, quoteQualified } from '../../../sql/quote';
import type { SourceMark } from '../../targets/load-plan';
import { SELECT_SOURCE_IDENTITY, selectRowCount } from './sql';

/** A table that held at least this many rows at its last load is checked for a sharp fall in size. */
const SHRINK_CHECK_MIN_ROWS = 1000;
/** How far the live-row estimate may move from the saved count before the plan counts exactly. */
const ESTIMATE_TOLERANCE = 0.1;

interface ContinuityInput {
  table: TableSpec;
  database: DatabaseRole;
  pool: Pool;
  columns: Pick<SourceColumn, 'name' | 'pgType'>[];
  since?: string;
  previous?: SourceMark;
}

/** Why the source looks older or smaller than at the last load, or undefined when it does not. */
async function findRegression(input: ContinuityInput & { mark: SourceMark }): Promise<string | undefined> {
  const { table, previous, mark } = input;
  const sameDatabase = previous?.id.split(':')[0] === input.database;
  if (previous && sameDatabase && previous.id !== mark.id) return 'it was dropped and re-created since the last load';
  const pgType = input.columns.find((column) => column.name === table.watermark)?.pgType;
  // An interval table saves the latest interval end, not a column value: its newest row is always older.
  if (table.watermark && pgType && table.window !== 'interval') {
    const column = quoteIdent(table.watermark);
    // pgType comes from the catalog; the saved watermark is a parameter.
    const sql = `SELECT max(${column})::text AS high, max(${column}) < CAST($1 AS ${pgType}) AS behind FROM ${quoteQualified(table.source)}`;
    const row = (await input.pool.query<{ high: string | null; behind: boolean | null }>(sql, [input.since])).rows[0];
    if (row?.behind) return `its newest ${table.watermark} (${row.high}) is older than the watermark the last load saved (${input.since})`;
  }
  if (previous && sameDatabase && previous.rows >= SHRINK_CHECK_MIN_ROWS && mark.rows < previous.rows / 2) {
    return `it holds ${mark.rows} rows, under half of the ${previous.rows} it held at the last load`;
  }
  return undefined;
}

/**
 * The row count saved with the watermark, exact: counted when there is no earlier mark or the statistics'
 * live-row estimate moved more than a tenth from it (the estimate lags bulk changes), else carried over, so a
 * nightly run does not scan the table.
 */
async function countRows(input: ContinuityInput & { id: string; estimate: number }): Promise<number> {
  const { previous } = input;
  if (previous?.id === input.id && Math.abs(input.estimate - previous.rows) <= previous.rows * ESTIMATE_TOLERANCE) return previous.rows;
  const result = await input.pool.query<{ row_count: string }>(selectRowCount({ source: input.table.source }));
  return Number(result.rows[0]?.row_count ?? 0);
}

/**
 * Reads the source table's identity and row count, and stops the run before any data moves when the source went
 * backwards since the last load (re-created, newest watermark older than the saved one, or fewer than half
 * the rows): an incremental run would then load a fraction of it and report success.
 */
export async function checkSourceContinuity(input: ContinuityInput): Promise<SourceMark> {
  const { table } = input;
  try {
    const identity = (await input.pool.query<{ id: string; live_rows: string }>(SELECT_SOURCE_IDENTITY, [table.source])).rows[0];
    const id = `${input.database}:${identity?.id ?? ''}`;
    const mark = { id, rows: await countRows({ ...input, id, estimate: Number(identity?.live_rows ?? 0) }) };
    // A full refresh, or a first window (no saved watermark), reads the whole table: nothing to load a fraction of.
    if (table.mode === 'full-refresh' || input.since === undefined) return mark;
    const regression = await findRegression({ ...input, mark });
    if (!regression) return mark;
    const message =
      `table ${table.name}: source ${table.source} went backwards: ${regression}. An incremental run now would load only part of it. ` +
      `If the source was rebuilt on purpose, run \`npm run etl -- reset <pipeline.yaml> --tables ${table.name}\` (add --truncate to empty the target too), then run again; or set mode: full-refresh.`;
    throw ApplicationFailure.create({ message, type: 'SourceWentBackwards', nonRetryable: true });
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    throw classifyPostgresError(error, { table: table.name, source: table.source });
  }
}
