import { keySetSelect } from '../../../sql/key-set';
import { keyChecksumSelect } from '../../../sql/checksum';
import {
  alterTarget,
  applyStagedRows,
  createStageTable,
  createTargetTable,
  selectLoadedChecksum,
  STAGE_TABLE,
  type LoadPlanSpec,
} from '../load-plan';
import { createStateTables } from '../state-sql';
import { createSourceKeysTable, createWithdrawnKeysTable, SOURCE_KEYS_TABLE, WITHDRAWN_KEYS_TABLE } from '../deletes';
import { quoteIdent, quoteLiteral, quoteQualified, quoteRedshiftLiteral } from '../../../sql/quote';
import type { ExpectedLoad } from '../types';
import { buildColumnGuards, MAX_BATCH_STATEMENTS } from './column-guards';

/** Marks the guard statements so a failed batch can be told apart from any other division by zero. */
export const RECONCILE_MARKER = 'etl:reconcile';

/** Which guard of the load batch failed: the staged COPY output, or the target after the apply step. */
export type ReconcileStage = 'stage' | 'target';

/** What the Redshift batch needs beyond the shared load plan: where the Parquet is and what it must add up to. */
export interface RedshiftLoadSpec extends Omit<LoadPlanSpec, 'dialect'> {
  /** s3://bucket/prefix/ holding exactly the processed Parquet files of this load. */
  s3Prefix: string;
  /** The IAM role Redshift assumes to read the lake. */
  iamRoleArn: string;
  expected: ExpectedLoad;
  /** The source's key set in the lake, staged when the table propagates deletes. */
  sourceKeys?: { bucket: string; key: string };
  /** `etl reprocess`: the keys of rows its changed rules now reject, staged and removed from the target. */
  withdrawnKeys?: { bucket: string; key: string };
}

/** COPY of every Parquet object under a prefix into a table, columns matched by position. */
export function copyParquetFromS3(input: { table: string; s3Prefix: string; iamRoleArn: string }): string {
  // FORMAT AS PARQUET maps columns by position and takes no column list in this form
  // (Redshift Database Developer Guide, "COPY from columnar data formats"), so the Parquet is written in target order.
  return `COPY ${quoteQualified(input.table)} FROM ${quoteRedshiftLiteral(input.s3Prefix)} IAM_ROLE ${quoteRedshiftLiteral(input.iamRoleArn)} FORMAT AS PARQUET`;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

/** The most recent COPY error detail rows, optionally of one query (SubStatementData.RedshiftQueryId). */
export function selectLoadErrors(input: { limit: number; queryId?: number }): string {
  const limit = nonNegativeInteger(input.limit, 'limit');
  // SYS_LOAD_ERROR_DETAIL replaces STL_LOAD_ERRORS and also covers Serverless and concurrency scaling
  // (Redshift Database Developer Guide, "SYS_LOAD_ERROR_DETAIL"); its char columns are blank-padded, hence trim.
  const where = input.queryId !== undefined && input.queryId > 0 ? ` WHERE query_id = ${nonNegativeInteger(input.queryId, 'queryId')}` : '';
  return (
    'SELECT trim(file_name) AS file_name, line_number, trim(column_name) AS column_name, error_code, trim(error_message) AS error_message' +
    ` FROM sys_load_error_detail${where} ORDER BY start_time DESC LIMIT ${limit}`
  );
}

/** The columns of an existing target, in order, with their type as Redshift names it (lengths and precision included). */
export function selectTargetColumns(input: { qualifiedName: string }): string {
  const [schema = '', table = ''] = input.qualifiedName.split('.');
  const type =
    "CASE WHEN character_maximum_length IS NOT NULL THEN data_type || '(' || character_maximum_length || ')'" +
    " WHEN data_type = 'numeric' THEN 'numeric(' || numeric_precision || ',' || numeric_scale || ')' ELSE data_type END";
  return (
    `SELECT column_name, ${type} AS type FROM information_schema.columns` +
    ` WHERE lower(table_schema) = lower(${quoteRedshiftLiteral(schema)}) AND lower(table_name) = lower(${quoteRedshiftLiteral(table)}) ORDER BY ordinal_position`
  );
}

/** One row with n = 1 when schema.table exists, n = 0 when it does not. */
export function selectTableExists(input: { qualifiedName: string }): string {
  const [schema = '', table = ''] = input.qualifiedName.split('.');
  // Redshift folds even quoted identifiers to lower case unless enable_case_sensitive_identifier is on
  // (Redshift Database Developer Guide, "Names and identifiers"), so compare case-insensitively.
  return (
    'SELECT count(*) AS n FROM information_schema.tables' +
    ` WHERE lower(table_schema) = lower(${quoteRedshiftLiteral(schema)}) AND lower(table_name) = lower(${quoteRedshiftLiteral(table)})`
  );
}

/**
 * A SELECT that fails the whole transaction unless the counted rows and key checksum equal the expected ones.
 * The division by (row_count - row_count) is evaluated per row at run time, so the planner cannot fold it away.
 */
export function reconcileGuard(input: { stage: ReconcileStage; counted: string; expected: Pick<ExpectedLoad, 'rows' | 'keyChecksum'> }): string {
  const rows = nonNegativeInteger(input.expected.rows, 'expected rows');
  const matches = `row_count = ${rows} AND key_checksum = ${quoteRedshiftLiteral(input.expected.keyChecksum)}`;
  return `/* ${RECONCILE_MARKER}:${input.stage} */ SELECT CASE WHEN ${matches} THEN 1 ELSE 1 / (row_count - row_count) END AS reconciled FROM (${input.counted}) counted`;
}

/** The stage of a guard statement, or undefined when the SQL is not one of ours. */
export function reconcileStageOf(sql: string | undefined): ReconcileStage | undefined {
  const match = new RegExp(`/\\* ${RECONCILE_MARKER}:(stage|target) \\*/`).exec(sql ?? '');
  return match?.[1] as ReconcileStage | undefined;
}

/**
 * Every statement of one Redshift load, in order, for ONE BatchExecuteStatement: the Data API runs a batch as a
 * single transaction and rolls all of it back when any statement fails (Redshift Data API Reference,
 * "BatchExecuteStatement", Sqls), so a failed guard leaves the target and the watermark untouched.
 */
export function buildLoadBatch(spec: RedshiftLoadSpec): string[] {
  // Deletes apply only with the source's key set staged beside the rows.
  const plan: LoadPlanSpec = { ...spec, dialect: 'redshift', deletes: spec.sourceKeys ? spec.deletes : undefined, softColumns: spec.deletes === 'soft', withdraw: spec.withdrawnKeys !== undefined };
  const sourceKeys = spec.sourceKeys
    ? [createSourceKeysTable(plan), copyParquetFromS3({ table: SOURCE_KEYS_TABLE, s3Prefix: `s3://${spec.sourceKeys.bucket}/${spec.sourceKeys.key}`, iamRoleArn: spec.iamRoleArn })]
    : [];
  const withdrawnKeys = spec.withdrawnKeys
    ? [createWithdrawnKeysTable(plan), copyParquetFromS3({ table: WITHDRAWN_KEYS_TABLE, s3Prefix: `s3://${spec.withdrawnKeys.bucket}/${spec.withdrawnKeys.key}`, iamRoleArn: spec.iamRoleArn })]
    : [];
  const staged = `SELECT ${keyChecksumSelect({ dialect: 'redshift', keys: spec.keys })} FROM ${STAGE_TABLE}`;
  const batch = [
    ...createStateTables(),
    ...createTargetTable(plan),
    ...alterTarget(plan),
    createStageTable(plan),
    copyParquetFromS3({ table: STAGE_TABLE, s3Prefix: spec.s3Prefix, iamRoleArn: spec.iamRoleArn }),
    reconcileGuard({ stage: 'stage', counted: staged, expected: spec.expected }),
    ...sourceKeys,
    ...withdrawnKeys,
    ...applyStagedRows(plan),
    // Redshift does not enforce PRIMARY KEY (Database Developer Guide, "Defining table constraints"): duplicate
    // keys in the stage would multiply the join below, so this guard also catches them.
    reconcileGuard({ stage: 'target', counted: selectLoadedChecksum(plan), expected: spec.expected }),
  ];
  // Last: the values of every loaded column, read back from the target, against the processed Parquet's.
  return [...batch, ...buildColumnGuards({ spec: plan, expected: spec.expected.columnChecksums ?? {}, room: MAX_BATCH_STATEMENTS - batch.length })];
}

/** UNLOAD of a table's distinct keys (one column, or a composite key's columns), as text (etl_key or etl_key_1…), plus a lookup's `with` columns, to one Parquet file. */
export function unloadKeys(input: { target: string; columns: readonly string[]; with?: readonly string[]; s3Prefix: string; iamRoleArn: string }): string {
  const { select, where } = keySetSelect({ keys: input.columns, cast: (column) => `CAST(${column} AS VARCHAR(65535))` });
  // A lookup's columns keep the target's types (UNLOAD's Parquet carries them).
  const looked = (input.with ?? []).map((column) => quoteIdent(column));
  const query = `SELECT DISTINCT ${[select, ...looked].join(', ')} FROM ${quoteQualified(input.target)} WHERE ${where}`;
  // PARALLEL OFF writes serially, one file up to 6.2 GB, and ALLOWOVERWRITE lets a retried attempt write it again
  // (Redshift Database Developer Guide, "UNLOAD").
  return `UNLOAD (${quoteLiteral(query)}) TO ${quoteLiteral(input.s3Prefix)} IAM_ROLE ${quoteLiteral(input.iamRoleArn)} FORMAT AS PARQUET PARALLEL OFF ALLOWOVERWRITE`;
}
