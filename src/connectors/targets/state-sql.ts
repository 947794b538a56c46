import { literalQuoter, quoteQualified } from '../../sql/quote';
import type { WarehouseDialect } from '../../sql/warehouse-types';
import type { LoadPlanSpec } from './load-plan';

/**
 * The run state a warehouse keeps in schema etl_state (watermarks, loads, source marks, file bookmarks, resets):
 * its tables, what a load saves there in its own transaction, and what plans and `etl reset` read or clear.
 */

/** Creates etl_state and its tables where missing. */
export function createStateTables(): string[] {
  return [
    'CREATE SCHEMA IF NOT EXISTS etl_state',
    'CREATE TABLE IF NOT EXISTS etl_state.watermarks (pipeline VARCHAR(128) NOT NULL, table_name VARCHAR(128) NOT NULL, watermark VARCHAR(64) NOT NULL, run_id VARCHAR(256) NOT NULL, saved_at TIMESTAMP NOT NULL)',
    'CREATE TABLE IF NOT EXISTS etl_state.loads (pipeline VARCHAR(128) NOT NULL, table_name VARCHAR(128) NOT NULL, run_id VARCHAR(256) NOT NULL, row_count BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL)',
    // What the source looked like at the last load, so the next plan can tell a source that went backwards.
    'CREATE TABLE IF NOT EXISTS etl_state.source_marks (pipeline VARCHAR(128) NOT NULL, table_name VARCHAR(128) NOT NULL, source_id VARCHAR(128) NOT NULL, source_rows BIGINT NOT NULL, run_id VARCHAR(256) NOT NULL, saved_at TIMESTAMP NOT NULL)',
    // Files tables: every object a committed load read, with its ETag (Glue's job bookmarks), so each is read once.
    'CREATE TABLE IF NOT EXISTS etl_state.file_bookmarks (pipeline VARCHAR(128) NOT NULL, table_name VARCHAR(128) NOT NULL, object_key VARCHAR(1024) NOT NULL, etag VARCHAR(256) NOT NULL, row_count BIGINT NOT NULL, run_id VARCHAR(256) NOT NULL, loaded_at TIMESTAMP NOT NULL)',
    // Who reset which table's state, when and why: `etl reset` writes one row per table.
    'CREATE TABLE IF NOT EXISTS etl_state.resets (pipeline VARCHAR(128) NOT NULL, table_name VARCHAR(128) NOT NULL, target_emptied BOOLEAN NOT NULL, requested_by VARCHAR(256) NOT NULL, reason VARCHAR(1024) NOT NULL, run_id VARCHAR(256) NOT NULL, reset_at TIMESTAMP NOT NULL)',
  ];
}

/** getdate() is Redshift's; Postgres spells it now() (at time zone utc for a plain timestamp). */
export function forDialect(spec: Pick<LoadPlanSpec, 'dialect'>, statements: string[]): string[] {
  return spec.dialect === 'postgres' ? statements.map((sql) => sql.replaceAll('getdate()', "(now() AT TIME ZONE 'utc')")) : statements;
}

/**
 * What a committed load records: its row count (counted from a table, or known, as after a direct load whose
 * count the load checks before it commits), the source mark, the files it read and the new watermark.
 */
export function saveState(spec: LoadPlanSpec, rows: { countFrom: string } | { known: number }): string[] {
  const literal = literalQuoter(spec.dialect);
  const where = `pipeline = ${literal(spec.pipeline)} AND table_name = ${literal(spec.table)}`;
  const run = literal(spec.runId);
  const statements = [
    `DELETE FROM etl_state.loads WHERE ${where} AND run_id = ${run}`,
    'known' in rows
      ? `INSERT INTO etl_state.loads (pipeline, table_name, run_id, row_count, loaded_at) VALUES (${literal(spec.pipeline)}, ${literal(spec.table)}, ${run}, ${wholeCount(rows.known)}, getdate())`
      : `INSERT INTO etl_state.loads (pipeline, table_name, run_id, row_count, loaded_at) SELECT ${literal(spec.pipeline)}, ${literal(spec.table)}, ${run}, count(*), getdate() FROM ${rows.countFrom}`,
  ];
  const mark = spec.sourceMark;
  if (mark) {
    statements.push(
      `DELETE FROM etl_state.source_marks WHERE ${where}`,
      `INSERT INTO etl_state.source_marks (pipeline, table_name, source_id, source_rows, run_id, saved_at) VALUES (${literal(spec.pipeline)}, ${literal(spec.table)}, ${literal(mark.id)}, ${wholeCount(mark.rows)}, ${run}, getdate())`,
    );
  }
  statements.push(...saveFileBookmarks(spec));
  if (spec.watermark === undefined) return statements;
  return [
    ...statements,
    `DELETE FROM etl_state.watermarks WHERE ${where}`,
    `INSERT INTO etl_state.watermarks (pipeline, table_name, watermark, run_id, saved_at) VALUES (${literal(spec.pipeline)}, ${literal(spec.table)}, ${literal(spec.watermark)}, ${run}, getdate())`,
  ];
}

/** A row count as an SQL literal: a whole number, never negative (anything else is recorded as 0). */
function wholeCount(rows: number): string {
  return String(Number.isSafeInteger(rows) && rows >= 0 ? rows : 0);
}

/** One DELETE and one multi-row INSERT, whatever the number of files (Redshift's batch holds 40 statements). */
function saveFileBookmarks(spec: LoadPlanSpec): string[] {
  const files = spec.fileBookmarks ?? [];
  if (files.length === 0) return [];
  const literal = literalQuoter(spec.dialect);
  const where = `pipeline = ${literal(spec.pipeline)} AND table_name = ${literal(spec.table)}`;
  const rows = files.map((file) => `(${literal(spec.pipeline)}, ${literal(spec.table)}, ${literal(file.key)}, ${literal(file.etag)}, ${Math.max(0, Math.trunc(file.rows))}, ${literal(spec.runId)}, getdate())`);
  return [
    `DELETE FROM etl_state.file_bookmarks WHERE ${where} AND object_key IN (${files.map((file) => literal(file.key)).join(', ')})`,
    `INSERT INTO etl_state.file_bookmarks (pipeline, table_name, object_key, etag, row_count, run_id, loaded_at) VALUES ${rows.join(', ')}`,
  ];
}

/** The objects a files table's committed loads read. */
export function selectFileBookmarks(input: { pipeline: string; table: string; dialect?: WarehouseDialect }): string {
  const literal = literalQuoter(input.dialect ?? 'postgres');
  return `SELECT object_key, etag FROM etl_state.file_bookmarks WHERE pipeline = ${literal(input.pipeline)} AND table_name = ${literal(input.table)}`;
}

/** The source mark the last load of one table saved, or no row. */
export function selectSourceMark(input: { pipeline: string; table: string; dialect?: WarehouseDialect }): string {
  const literal = literalQuoter(input.dialect ?? 'postgres');
  return `SELECT source_id, source_rows FROM etl_state.source_marks WHERE pipeline = ${literal(input.pipeline)} AND table_name = ${literal(input.table)}`;
}

/**
 * `etl reset` for some tables of a pipeline, in one transaction: forget their watermarks and source marks
 * (the next run reads each table from the beginning), optionally empty their targets and rollups, and
 * record who did it and why.
 */
export function resetTables(input: { dialect: WarehouseDialect; pipeline: string; tables: readonly { name: string; targets: readonly string[] }[]; truncate: boolean; requestedBy: string; reason: string; runId: string }): string[] {
  const literal = literalQuoter(input.dialect);
  const statements = input.tables.flatMap((table) => {
    const where = `pipeline = ${literal(input.pipeline)} AND table_name = ${literal(table.name)}`;
    const audit = `INSERT INTO etl_state.resets (pipeline, table_name, target_emptied, requested_by, reason, run_id, reset_at) VALUES (${literal(input.pipeline)}, ${literal(table.name)}, ${input.truncate}, ${literal(input.requestedBy)}, ${literal(input.reason)}, ${literal(input.runId)}, getdate())`;
    // DELETE, not TRUNCATE: TRUNCATE commits the transaction on Redshift.
    const empty = input.truncate ? table.targets.map((target) => `DELETE FROM ${quoteQualified(target)}`) : [];
    return [`DELETE FROM etl_state.watermarks WHERE ${where}`, `DELETE FROM etl_state.source_marks WHERE ${where}`, `DELETE FROM etl_state.file_bookmarks WHERE ${where}`, ...empty, audit];
  });
  return forDialect(input, [...createStateTables(), ...statements]);
}

/** The saved watermark of one table, or no row. */
export function selectWatermark(input: { pipeline: string; table: string; dialect?: WarehouseDialect }): string {
  const literal = literalQuoter(input.dialect ?? 'postgres');
  return `SELECT watermark FROM etl_state.watermarks WHERE pipeline = ${literal(input.pipeline)} AND table_name = ${literal(input.table)}`;
}
