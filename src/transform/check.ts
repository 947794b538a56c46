import type { DuckDBConnection } from '@duckdb/node-api';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { TableSpec, TransformStep, WarehouseSpec } from '../config/pipeline-schema';
import { lookupOutputs } from '../config/transform-schema';
import { SOFT_DELETE_COLUMNS } from '../connectors/targets/deletes';
import { decideSchemaChange, type SchemaChange, type TargetColumn } from '../connectors/targets/schema-change';
import { targetColumnType } from '../connectors/targets/load-plan';
import type { SourceColumn } from '../sql/pg-types';
import { quoteIdent } from '../sql/quote';
import { MEASURE_FORMS, parseMeasure } from '../sql/measure';
import { selectRollup } from '../sql/rollup';
import { compileTransform } from './compile';
import type { ColumnSpec } from '../sql/warehouse-types';
import type { DuckdbDeps } from '../activities/duckdb';
import { withDuckdb } from './duckdb-session';
import { checkOutputColumns, createInputRelations, referenceRelation } from './relations';
import { checkExpression, checkSelect } from './user-sql';

function describeStep(step: TransformStep, index: number): string {
  const rule = 'rule' in (step.body as object) ? ` ${(step.body as { rule: string }).rule}` : '';
  const file = step.kind === 'sql' ? ` ${step.body.file}` : '';
  return `transform[${index}] (${step.kind}${rule}${file})`;
}

/** DuckDB's error without the echo of our generated SQL (LINE …), which says nothing to the user. */
function duckdbMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Error: /, '').split(/\n\s*\nLINE \d+:/)[0]?.trim() ?? text;
}

/** A lookup may not add a column the row already has (DuckDB would rename one silently). */
async function checkLookupNames(connection: DuckDBConnection, table: TableSpec, index: number): Promise<void> {
  const step = table.transform[index];
  if (step?.kind !== 'lookup') return;
  const before = compileTransform({ source: 'etl_input', steps: table.transform.slice(0, index), context: { keys: table.primaryKey, referenceRelation } });
  const existing = (await connection.runAndReadAll(`DESCRIBE ${before}`)).getRows().map(([name]) => String(name));
  const clash = lookupOutputs(step.body).filter((output) => existing.includes(output.name));
  if (clash.length === 0) return;
  const names = clash.map((output) => output.name).join(', ');
  throw ApplicationFailure.nonRetryable(`table ${table.name}: ${describeStep(step, index)} would add ${names}, which the rows already have; rename it with as: or drop the row's own column first`, 'TransformInvalid');
}

const refuse = (table: TableSpec, where: string, why: string) =>
  ApplicationFailure.nonRetryable(`table ${table.name}: ${where} is refused: ${why}. Transforms are sealed: expressions see one row, sql files are one SELECT over input`, 'TransformNotAllowed');

/**
 * User SQL must be what it claims before anything compiles it: each keep/derive text exactly one scalar
 * expression over the row, each sql file exactly one SELECT over `input`, each rollup measure one plain
 * aggregate. Parsed by DuckDB itself (json_serialize_sql), so the check sees what DuckDB would run.
 */
async function checkUserSql(connection: DuckDBConnection, table: TableSpec): Promise<void> {
  for (const [index, step] of table.transform.entries()) {
    const where = describeStep(step, index);
    if (step.kind === 'filter') {
      const why = await checkExpression(connection, step.body.keep);
      if (why) throw refuse(table, `${where} keep`, why);
    }
    if (step.kind === 'derive') {
      for (const [column, expression] of Object.entries(step.body)) {
        const why = await checkExpression(connection, expression);
        if (why) throw refuse(table, `${where} column ${column}`, why);
      }
    }
    if (step.kind === 'sql') {
      const why = await checkSelect(connection, step.body.query.trim().replace(/;\s*$/, ''));
      if (why) throw refuse(table, where, why);
    }
  }
  for (const rollup of table.rollups) {
    for (const [name, measure] of Object.entries(rollup.measures)) {
      if (!parseMeasure(measure)) throw refuse(table, `rollup ${rollup.target} measure ${name} ("${measure}")`, `expected ${MEASURE_FORMS}`);
    }
  }
}

/** Each rollup's aggregate compiles over the transform output (the initial Postgres load runs it in DuckDB). */
async function checkRollups(connection: DuckDBConnection, table: TableSpec): Promise<void> {
  for (const rollup of table.rollups) {
    try {
      await connection.run(`DESCRIBE ${selectRollup({ rollup, from: 'etl_result' })}`);
    } catch (error) {
      throw ApplicationFailure.nonRetryable(`table ${table.name}: rollup ${rollup.target} is invalid: ${duckdbMessage(error)}`, 'TransformInvalid');
    }
  }
}

/** Reads an existing target's columns (undefined: no table yet), from the warehouse the pipeline names. */
export type ReadTargetColumns = (input: { table: string; target: string; warehouse: WarehouseSpec }) => Promise<TargetColumn[] | undefined>;

export interface CheckTransformInput {
  pipeline?: string;
  table: TableSpec;
  sourceColumns: SourceColumn[];
  /** With a warehouse, the output columns are compared with the existing target's (onSchemaChange). */
  warehouse?: WarehouseSpec;
}

/** What the check decided: the output columns, the load's schema change, and (with a warehouse) whether the target exists yet. */
export interface TransformCheck {
  columns: ColumnSpec[];
  schemaChange?: SchemaChange;
  targetExists?: boolean;
}

/** Compares what the load would write with the existing target and applies the table's onSchemaChange, before data moves. */
async function planSchemaChange(read: ReadTargetColumns | undefined, input: CheckTransformInput, columns: ColumnSpec[]): Promise<Omit<TransformCheck, 'columns'>> {
  const { table, warehouse } = input;
  if (!read || !warehouse) return {};
  const found = await read({ table: table.name, target: table.target, warehouse });
  if (!found) return { targetExists: false };
  // A soft-delete target carries its own two columns, which no source has.
  const soft: readonly string[] = table.deletes === 'soft' ? Object.values(SOFT_DELETE_COLUMNS) : [];
  // Looked-up columns are typed by the looked-up target, which the check does not read: the load sets their types.
  const looked: readonly string[] = table.transform.flatMap((step) => (step.kind === 'lookup' ? lookupOutputs(step.body).map((output) => output.name) : []));
  const existing = found.filter((column) => !soft.includes(column.name) && !looked.includes(column.name));
  const desired = columns.filter((column) => !looked.includes(column.name)).map((column) => ({ name: column.name, type: targetColumnType(column, warehouse.type) }));
  const decided = decideSchemaChange({ policy: table.onSchemaChange, dialect: warehouse.type, keys: table.primaryKey, desired, existing });
  if (!decided || !('refused' in decided)) return decided ? { schemaChange: decided, targetExists: true } : { targetExists: true };
  const where = `${input.pipeline ? `pipeline ${input.pipeline}, ` : ''}table ${table.name} (target ${table.target}, onSchemaChange: ${table.onSchemaChange})`;
  throw ApplicationFailure.nonRetryable(`${where}: the source columns no longer match the target: ${decided.refused}. Nothing was extracted.`, 'SchemaChangeRefused');
}

export function createTransformCheckActivities(deps: DuckdbDeps & { readTargetColumns?: ReadTargetColumns }) {
  return {
    /**
     * Checks the table's user SQL (see checkUserSql), then compiles its transform against an empty relation
     * with the source's column types, step by step, in a sealed session with no file access, so a bad or
     * hostile expression or a missing column fails the run before any data moves, naming the step; then
     * decides what the load does about an existing target whose columns differ (onSchemaChange).
     */
    async checkTransform(input: CheckTransformInput): Promise<TransformCheck> {
      const { table } = input;
      const { columns } = await withDuckdb({ duckdb: deps.duckdb, spool: null, context: { table: table.name, step: 'check' } }, async (connection) => {
        await checkUserSql(connection, table);
        const columns = input.sourceColumns.map((column) => `${quoteIdent(column.name)} ${column.duckdbType}`).join(', ');
        await connection.run(`CREATE OR REPLACE TEMP TABLE etl_empty (${columns})`);
        await createInputRelations(connection, { table, raw: 'etl_empty', references: {} });
        for (let count = 1; count <= table.transform.length; count += 1) {
          await checkLookupNames(connection, table, count - 1);
          const query = compileTransform({ source: 'etl_input', steps: table.transform.slice(0, count), context: { keys: table.primaryKey, referenceRelation } });
          try {
            await connection.run(`DESCRIBE ${query}`);
          } catch (error) {
            const step = describeStep(table.transform[count - 1] as TransformStep, count - 1);
            throw ApplicationFailure.nonRetryable(`table ${table.name}: ${step} is invalid: ${duckdbMessage(error)}`, 'TransformInvalid');
          }
        }
        const query = compileTransform({ source: 'etl_input', steps: table.transform, context: { keys: table.primaryKey, referenceRelation } });
        await connection.run(`CREATE OR REPLACE TEMP TABLE etl_result AS ${query}`);
        const output = await checkOutputColumns(connection, table, input.sourceColumns);
        await checkRollups(connection, table);
        return { columns: output };
      });
      const { schemaChange, targetExists } = await planSchemaChange(deps.readTargetColumns, input, columns);
      if (schemaChange) log.warn('target schema changes', { pipeline: input.pipeline, table: table.name, changes: schemaChange.notes });
      return { columns, ...(schemaChange ? { schemaChange } : {}), ...(targetExists === undefined ? {} : { targetExists }) };
    },
  };
}
