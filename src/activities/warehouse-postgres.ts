import { join } from 'node:path';
import type { PoolClient } from 'pg';
import { ApplicationFailure } from '@temporalio/activity';
import { copyToCsvFile, readParquetFiles } from '../sql/duckdb-read';
import {
  addPrimaryKey, applyStagedRows, createRollupTable, dropPrimaryKey, createStageTable, createStateTables, createTargetTable, finishDirectLoad, selectLoadedChecksum, selectTargetChecksum,
  selectTargetIsEmpty, selectWatermark, SELECT_PRIMARY_KEY_NAME, STAGE_TABLE, type LoadPlanSpec,
} from '../sql/load-plan';
import { quoteIdent, quoteQualified } from '../sql/quote';
import { withDuckdb } from './duckdb-session';
import { classifyPostgresError } from './errors';
import type { ExtractDeps } from './extract';
import { heartbeat, keepAlive, throwIfCancelled } from './heartbeat';
import { cancelStatementOnAbort } from './pg-cancel';
import { downloadFiles } from './lake';
import type { LoadTableInput, LoadTableResult } from './load-types';
import { copyFromFile } from './pg-copy';
import { withSpool } from './spool';

/** Loads into one warehouse serialize on this lock, so concurrent CREATE SCHEMA / TABLE cannot race. */
const LOAD_LOCK = 7_310_001;

function reconciliationFailure(input: LoadTableInput, actual: { rows: number; keyChecksum: string }): ApplicationFailure {
  const message = `table ${input.table}: the warehouse does not match the transform output: expected ${input.expected.rows} rows (key checksum ${input.expected.keyChecksum}), found ${actual.rows} (${actual.keyChecksum}); nothing was committed`;
  return ApplicationFailure.nonRetryable(message, 'ReconciliationFailed');
}

async function spoolCsv(deps: ExtractDeps, input: LoadTableInput, dir: string): Promise<string> {
  const paths = await downloadFiles({ s3: deps.s3, bucket: input.files.bucket, keys: input.files.keys, dir, name: 'processed' });
  const csv = join(dir, 'stage.csv');
  const columns = input.columns.map((column) => quoteIdent(column.name)).join(', ');
  // In key order, the target's primary-key index grows at its right edge instead of splitting pages at random.
  const order = input.keys.map(quoteIdent).join(', ');
  const query = paths.length > 0 ? `SELECT ${columns} FROM ${readParquetFiles({ paths })} ORDER BY ${order}` : `SELECT * FROM (SELECT 1) WHERE false`;
  await withDuckdb({ duckdb: deps.duckdb, context: { table: input.table, step: 'load' } }, (connection) => connection.run(copyToCsvFile({ query, path: csv })));
  return csv;
}

async function runLoad(client: PoolClient, input: LoadTableInput, csv: string): Promise<Omit<LoadTableResult, 'seconds'>> {
  const spec: LoadPlanSpec = { ...input, dialect: 'postgres' };
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock($1)', [LOAD_LOCK]);
  // Rollups and the merge join aggregate whole batches; the 4 MB default spills them to disk.
  await client.query("SET LOCAL work_mem = '256MB'");
  for (const sql of [...createStateTables(), ...createTargetTable(spec)]) await client.query(sql);
  for (const rollup of input.rollups) for (const sql of createRollupTable({ rollup, source: input.target, dialect: 'postgres' })) await client.query(sql);
  const columns = input.columns.map((column) => quoteIdent(column.name)).join(', ');
  const copyInto = (table: string) =>
    copyFromFile({ client, sql: `COPY ${table} (${columns}) FROM STDIN WITH (FORMAT csv)`, path: csv, onBytes: (bytes) => heartbeat({ copied: bytes }) });
  const direct = (await client.query<{ empty: boolean }>(selectTargetIsEmpty(spec))).rows[0]?.empty === true;
  if (direct) {
    const constraint = (await client.query<{ conname: string }>(SELECT_PRIMARY_KEY_NAME, [quoteQualified(input.target)])).rows[0]?.conname;
    if (constraint) await client.query(dropPrimaryKey({ target: input.target, constraint }));
    await copyInto(quoteQualified(input.target));
    if (constraint) await client.query(addPrimaryKey({ target: input.target, constraint, keys: input.keys }));
    for (const sql of finishDirectLoad(spec)) await client.query(sql);
  } else {
    await client.query(createStageTable(spec));
    await copyInto(STAGE_TABLE);
    for (const sql of applyStagedRows(spec)) await client.query(sql);
  }
  const loaded = (await client.query<{ row_count: string; key_checksum: string }>(direct ? selectTargetChecksum(spec) : selectLoadedChecksum(spec))).rows[0];
  const actual = { rows: Number(loaded?.row_count ?? 0), keyChecksum: loaded?.key_checksum ?? '0' };
  if (actual.rows !== input.expected.rows || actual.keyChecksum !== input.expected.keyChecksum) throw reconciliationFailure(input, actual);
  throwIfCancelled(); // a cancelled run never commits, even when the cancel arrived between statements
  await client.query('COMMIT');
  return actual;
}

export function createPostgresWarehouseActivities(deps: ExtractDeps) {
  return {
    /** The watermark saved by the last committed load of a table, if any. */
    async readPostgresWatermark(input: { pipeline: string; table: string }): Promise<{ watermark?: string }> {
      try {
        const result = await deps.pools.warehouse.query<{ watermark: string }>(selectWatermark(input));
        return { watermark: result.rows[0]?.watermark };
      } catch (error) {
        if ((error as { code?: string }).code === '42P01') return {}; // etl_state not created yet: first run
        throw classifyPostgresError(error, { table: input.table });
      }
    },

    /**
     * The local Redshift stand-in: the same load plan as Redshift, with COPY FROM STDIN fed from the
     * processed Parquet. One transaction: stage, apply, rollups, watermark; it commits only if the rows
     * and key checksum in the warehouse match what the transform produced.
     */
    async loadIntoPostgres(input: LoadTableInput): Promise<LoadTableResult> {
      const started = Date.now();
      return keepAlive(() => withSpool({ spoolDir: deps.spoolDir, name: `load-${input.table}` }, async (dir) => {
        const csv = await spoolCsv(deps, input, dir);
        const client = await deps.pools.warehouse.connect();
        const stopWatching = await cancelStatementOnAbort({ pool: deps.pools.warehouse, client });
        try {
          return { ...(await runLoad(client, input, csv)), seconds: (Date.now() - started) / 1000 };
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throwIfCancelled();
          if (error instanceof ApplicationFailure) throw error;
          throw classifyPostgresError(error, { table: input.table, target: input.target });
        } finally {
          stopWatching();
          client.release();
        }
      }));
    },
  };
}
