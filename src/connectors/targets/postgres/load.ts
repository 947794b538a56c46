import { stat } from 'node:fs/promises';
import type { PoolClient } from 'pg';
import { ApplicationFailure } from '@temporalio/activity';
import {
  addPrimaryKey, alterTarget, analyzeKeyTables, applyStagedRows, createRollupTable, dropPrimaryKey, createStageTable, createTargetTable, finishDirectLoad, LOAD_SESSION_SETTINGS, selectColumnChecksums, verifiedColumns, selectTargetIsEmpty, SELECT_NOT_NULL_COLUMNS, SELECT_PRIMARY_KEY_NAME, SELECT_TARGET_COLUMNS, STAGE_TABLE, type LoadPlanSpec,
} from '../load-plan';
import { createStateTables, selectFileBookmarks, selectSourceMark, selectWatermark } from '../state-sql';
import { SELECT_TABLE_EXISTS } from '../../sources/postgres/sql';
import { quoteIdent, quoteQualified } from '../../../sql/quote';
import { labelRowChecksum, mismatchedColumns, readColumnChecksums, rowChecksumVersionOf, type RowChecksumVersion } from '../../../sql/column-checksum';
import { rollupColumns } from '../../../sql/rollup';
import { classifyPostgresError } from '../../../runtime/errors';
import type { ExtractDeps } from '../../sources/postgres/extract';
import { heartbeatStep, keepAlive, throwIfCancelled } from '../../../runtime/heartbeat';
import { cancelStatementOnAbort } from '../../pg/cancel';
import { checksumSpooled, spoolLoadFiles, type LoadSpool } from './load-spool';
import type { ColumnSpec } from '../../../sql/warehouse-types';
import type { LoadTableInput, LoadTableResult, ReadWatermarkInput, ResetTablesInput, SavedState, TargetConnector } from '../types';
import { addSoftDeleteColumns, createSourceKeysTable, createWithdrawnKeysTable, DELETES_MARKER, SOURCE_KEYS_TABLE, WITHDRAWN_KEYS_TABLE, WITHDRAWN_MARKER } from '../deletes';
import { LOAD_LOCK } from './lock';
import { limitsOf } from '../../../transform/duckdb-session';
import { spoolSourceKeys } from './source-keys-spool';
import { resetPostgresTables } from './reset';
import type { TargetColumn } from '../schema-change';
import { copyFromFile } from '../../pg/copy';
import { withSpool } from '../../../runtime/spool';

/** The processed Parquet's checksums over some columns, per column or (perRow: its form) as one row checksum. */
type SpoolChecksums = (columns: ColumnSpec[], perRow?: RowChecksumVersion) => Promise<Record<string, string>>;

function reconciliationFailure(input: LoadTableInput, actual: { rows: number; keyChecksum: string }): ApplicationFailure {
  const message = `table ${input.table}: the warehouse does not match the transform output: expected ${input.expected.rows} rows (key checksum ${input.expected.keyChecksum}), found ${actual.rows} (${actual.keyChecksum}); nothing was committed`;
  return ApplicationFailure.nonRetryable(message, 'ReconciliationFailed');
}

function contentFailure(input: LoadTableInput, columns: string[]): ApplicationFailure {
  const names = columns.map((column) => `${input.target}.${column}`).join(', ');
  const message = `pipeline ${input.pipeline}, table ${input.table}, step load: the values loaded into ${names} differ from the transform output (per-column checksum); nothing was committed and the watermark is unchanged. Look for a trigger, default or rule on the target that rewrites values, or a column type that converts them`;
  return ApplicationFailure.nonRetryable(message, 'ContentMismatch');
}

/** Count, key checksum and row checksum (in the transform's form) of the rows this load wrote, read in one pass. */
async function readLoadedChecks(client: PoolClient, input: LoadTableInput, spec: LoadPlanSpec, scope: 'target' | 'loaded') {
  // Computed in the form the transform used (labelled on its checksum), so a run in flight across a deploy compares like with like.
  const version = rowChecksumVersionOf(input.expected.rowChecksum);
  const row = (await client.query<{ row_count: string; key_checksum: string; row_checksum: string }>(selectColumnChecksums({ ...spec, scope, perRow: version, withKeys: true }))).rows[0];
  return { rows: Number(row?.row_count ?? 0), keyChecksum: row?.key_checksum ?? '0', rowChecksum: row ? labelRowChecksum(version, row.row_checksum) : undefined, version };
}

/**
 * Compares every loaded value with the transform's: one hash per row first (the cheap check, read with the
 * keys), and only when it differs the per-column sums, to name the columns. Throws naming them.
 */
async function verifyContent(client: PoolClient, input: LoadTableInput & { fromSpool: SpoolChecksums }, spec: LoadPlanSpec, loaded: { scope: 'target' | 'loaded'; rowChecksum?: string; version: RowChecksumVersion }): Promise<void> {
  const verified = verifiedColumns(spec);
  const { version } = loaded;
  // The transform hashed every processed column; a load that skips some (onSchemaChange) recomputes over the rest.
  const spooled = verified.length === input.columns.length ? undefined : (await input.fromSpool(verified, version)).row_checksum;
  const expectedRow = spooled === undefined ? input.expected.rowChecksum : labelRowChecksum(version, spooled);
  if (loaded.rowChecksum === expectedRow) return;
  const row = (await client.query<Record<string, unknown>>(selectColumnChecksums({ ...spec, scope: loaded.scope }))).rows[0] ?? {};
  const differing = mismatchedColumns(await input.fromSpool(verified), readColumnChecksums(verified, row));
  // A transform from before this check (a run in flight across a deploy) has no row checksum: the columns decide.
  if (differing.length === 0 && expectedRow === undefined) return;
  // Equal per-column sums with unequal rows would take a hash collision: name every column rather than none.
  throw contentFailure(input, differing.length > 0 ? differing : verified.map((column) => column.name));
}

/** Replaces each rollup's rows with the ones DuckDB aggregated from this (initial) load. */
async function copyRollups(client: PoolClient, spool: LoadSpool): Promise<void> {
  for (const { rollup, path } of spool.rollups) {
    const target = quoteQualified(rollup.target);
    await client.query(`DELETE FROM ${target}`);
    await copyFromFile({ client, sql: `COPY ${target} (${rollupColumns(rollup).map(quoteIdent).join(', ')}) FROM STDIN WITH (FORMAT csv)`, path });
  }
}

type KeySpools = { sourceKeys?: string; withdrawnKeys?: string };

async function runLoad(client: PoolClient, input: LoadTableInput & { fromSpool: SpoolChecksums }, spool: LoadSpool & KeySpools): Promise<Omit<LoadTableResult, 'seconds'>> {
  // Deletes apply only with the source's key set staged beside the rows; withdrawals with their keys.
  const spec: LoadPlanSpec = { ...input, dialect: 'postgres', deletes: spool.sourceKeys ? input.deletes : undefined, softColumns: input.deletes === 'soft', withdraw: spool.withdrawnKeys !== undefined };
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock($1)', [LOAD_LOCK]);
  for (const sql of LOAD_SESSION_SETTINGS) await client.query(sql);
  // Rollups and the merge join aggregate whole batches; the 4 MB default spills them to disk.
  await client.query("SET LOCAL work_mem = '256MB'");
  for (const sql of [...createStateTables(), ...createTargetTable(spec), ...alterTarget(spec)]) await client.query(sql);
  if (spec.softColumns) await client.query(addSoftDeleteColumns(input.target));
  for (const rollup of input.rollups) for (const sql of createRollupTable({ rollup, source: input.target, dialect: 'postgres' })) await client.query(sql);
  const columns = input.columns.map((column) => quoteIdent(column.name)).join(', ');
  // Rows copied so far are estimated from the bytes (the CSV's rows are of similar width); exact once it is all in.
  const csvBytes = (await stat(spool.csv)).size;
  const files = input.files.keys.length;
  const report = (bytes: number) => heartbeatStep({ step: 'load', partsDone: bytes < csvBytes ? 0 : files, partsTotal: files, rows: Math.round((input.expected.rows * bytes) / Math.max(1, csvBytes)), bytes });
  const copyInto = async (table: string) => {
    report(0);
    await copyFromFile({ client, sql: `COPY ${table} (${columns}) FROM STDIN WITH (FORMAT csv)`, path: spool.csv, onBytes: report });
    report(csvBytes);
  };
  // A target whose columns changed takes the staged path, which writes only the columns the plan decided.
  let deletedRows: number | undefined;
  let withdrawnRows: number | undefined;
  const direct = !input.schemaChange && (await client.query<{ empty: boolean }>(selectTargetIsEmpty(spec))).rows[0]?.empty === true;
  if (direct) {
    const constraint = (await client.query<{ conname: string }>(SELECT_PRIMARY_KEY_NAME, [quoteQualified(input.target)])).rows[0]?.conname;
    if (constraint) await client.query(dropPrimaryKey({ target: input.target, constraint }));
    await copyInto(quoteQualified(input.target));
    if (constraint) await client.query(addPrimaryKey({ target: input.target, constraint, keys: input.keys }));
    const rollupsCopied = spool.rollups.length > 0 && spool.rollups.length === input.rollups.length;
    if (rollupsCopied) await copyRollups(client, spool);
    for (const sql of finishDirectLoad({ ...spec, rebuildRollups: !rollupsCopied, rows: input.expected.rows })) await client.query(sql);
  } else {
    await client.query(createStageTable(spec));
    await copyInto(STAGE_TABLE);
    if (spool.sourceKeys) {
      await client.query(createSourceKeysTable(spec));
      await copyFromFile({ client, sql: `COPY ${SOURCE_KEYS_TABLE} FROM STDIN WITH (FORMAT csv)`, path: spool.sourceKeys });
    }
    if (spool.withdrawnKeys) {
      await client.query(createWithdrawnKeysTable(spec));
      await copyFromFile({ client, sql: `COPY ${WITHDRAWN_KEYS_TABLE} FROM STDIN WITH (FORMAT csv)`, path: spool.withdrawnKeys });
    }
    const keyTables = [...(spool.sourceKeys ? [SOURCE_KEYS_TABLE] : []), ...(spool.withdrawnKeys ? [WITHDRAWN_KEYS_TABLE] : [])];
    await client.query(analyzeKeyTables({ keys: input.keys, tables: [STAGE_TABLE, ...keyTables] }));
    const notNullColumns = (await client.query<{ name: string }>(SELECT_NOT_NULL_COLUMNS, [quoteQualified(input.target)])).rows.map((row) => row.name);
    for (const sql of applyStagedRows({ ...spec, notNullColumns })) {
      const result = await client.query(sql);
      if (sql.startsWith(DELETES_MARKER)) deletedRows = result.rowCount ?? 0;
      if (sql.startsWith(WITHDRAWN_MARKER)) withdrawnRows = result.rowCount ?? 0;
    }
  }
  // Every check of what this load wrote: count and keys first, then content; the time is the verification's.
  const verifyStarted = performance.now();
  const scope = direct ? 'target' : 'loaded';
  const loaded = await readLoadedChecks(client, input, spec, scope);
  const actual = { rows: loaded.rows, keyChecksum: loaded.keyChecksum };
  if (actual.rows !== input.expected.rows || actual.keyChecksum !== input.expected.keyChecksum) throw reconciliationFailure(input, actual);
  await verifyContent(client, input, spec, { ...loaded, scope });
  const verifySeconds = (performance.now() - verifyStarted) / 1000;
  throwIfCancelled(); // a cancelled run never commits, even when the cancel arrived between statements
  await client.query('COMMIT');
  return { ...actual, verifySeconds, ...(deletedRows === undefined ? {} : { deletedRows }), ...(withdrawnRows === undefined ? {} : { withdrawnRows }) };
}

async function isTargetEmpty(deps: ExtractDeps, input: LoadTableInput): Promise<boolean> {
  const exists = await deps.pools.warehouse.query<{ present: boolean }>(SELECT_TABLE_EXISTS, [quoteQualified(input.target)]);
  if (!exists.rows[0]?.present) return true;
  return (await deps.pools.warehouse.query<{ empty: boolean }>(selectTargetIsEmpty(input))).rows[0]?.empty === true;
}

/** The local Redshift stand-in (and any Postgres warehouse). */
export function createPostgresTarget(deps: ExtractDeps): TargetConnector {
  return {
    /** The columns of the existing target with format_type's spelling of their types; undefined when it does not exist. */
    async readColumns(input: { table: string; target: string }): Promise<TargetColumn[] | undefined> {
      try {
        const result = await deps.pools.warehouse.query<TargetColumn>(SELECT_TARGET_COLUMNS, [quoteQualified(input.target)]);
        return result.rows.length > 0 ? result.rows : undefined;
      } catch (error) {
        throw classifyPostgresError(error, { table: input.table, target: input.target });
      }
    },

    /** The watermark and source mark saved by the last committed load of a table, if any. */
    async readWatermark(input: ReadWatermarkInput): Promise<SavedState> {
      const read = async <T extends object>(sql: string): Promise<T | undefined> => {
        try {
          return (await deps.pools.warehouse.query<T>(sql)).rows[0];
        } catch (error) {
          if ((error as { code?: string }).code === '42P01') return undefined; // etl_state not created yet: first run
          throw classifyPostgresError(error, { table: input.table });
        }
      };
      const saved = await read<{ watermark: string }>(selectWatermark(input));
      const mark = await read<{ source_id: string; source_rows: string }>(selectSourceMark(input));
      return { watermark: saved?.watermark, sourceMark: mark ? { id: mark.source_id, rows: Number(mark.source_rows) } : undefined };
    },

    /** The objects a files table's committed loads read (key → ETag); empty before etl_state exists. */
    async readFileBookmarks(input: ReadWatermarkInput): Promise<Map<string, string>> {
      try {
        const result = await deps.pools.warehouse.query<{ object_key: string; etag: string }>(selectFileBookmarks(input));
        return new Map(result.rows.map((row) => [row.object_key, row.etag]));
      } catch (error) {
        if ((error as { code?: string }).code === '42P01') return new Map(); // etl_state not created yet: first run
        throw classifyPostgresError(error, { pipeline: input.pipeline, table: input.table, step: 'plan' });
      }
    },

    /** Forgets tables' watermarks and source marks (optionally empties their targets), audited in etl_state.resets. */
    reset: (input: ResetTablesInput) => resetPostgresTables(deps.pools.warehouse, input),

    /**
     * The local Redshift stand-in: the same load plan as Redshift, with COPY FROM STDIN fed from the
     * processed Parquet. One transaction: stage, apply, rollups, watermark; it commits only if the rows
     * and key checksum in the warehouse match what the transform produced.
     */
    async load(input: LoadTableInput): Promise<LoadTableResult> {
      const started = Date.now();
      return keepAlive(() => withSpool({ spoolDir: deps.spoolDir, name: `load-${input.table}` }, async (dir) => {
        // An empty target takes the initial-load path (checked again in the transaction).
        const initialLoad = await isTargetEmpty(deps, input);
        const spool = await spoolLoadFiles(deps, { ...input, dir, initialLoad });
        // An empty target has nothing the source could have deleted.
        const sourceKeys = input.sourceKeys && !initialLoad ? await spoolSourceKeys(deps, { dir, table: input.table, sourceKeys: input.sourceKeys, ...limitsOf(input) }) : undefined;
        const withdrawnKeys = input.withdrawnKeys && !initialLoad ? await spoolSourceKeys(deps, { dir, table: input.table, sourceKeys: input.withdrawnKeys, name: 'withdrawn-keys', ...limitsOf(input) }) : undefined;
        const client = await deps.pools.warehouse.connect();
        const stopWatching = await cancelStatementOnAbort({ pool: deps.pools.warehouse, client });
        try {
          const fromSpool: SpoolChecksums = (verified, perRow) => checksumSpooled(deps, { ...input, dir, parquet: spool.parquet, verified, perRow });
          return { ...(await runLoad(client, { ...input, fromSpool }, { ...spool, sourceKeys, withdrawnKeys })), seconds: (Date.now() - started) / 1000 };
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throwIfCancelled();
          if (error instanceof ApplicationFailure) throw error;
          throw classifyPostgresError(error, { pipeline: input.pipeline, table: input.table, target: input.target, step: 'load' });
        } finally {
          stopWatching();
          client.release();
        }
      }));
    },
  };
}
