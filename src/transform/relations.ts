import type { DuckDBConnection } from '@duckdb/node-api';
import { ApplicationFailure } from '@temporalio/activity';
import type { TableSpec } from '../config/pipeline-schema';
import { lookupNeeds, referenceColumns } from '../config/transform-schema';
import { emptyKeySet, keySetColumns } from '../sql/key-set';
import { quoteIdent, quoteLiteral } from '../sql/quote';
import { lookupRelationName, REJECT_COLUMN } from './compile';
import type { ColumnSpec } from '../sql/warehouse-types';
import { categoryOfDuckdbType, UNREPRESENTABLE_COLUMN, UNREPRESENTABLE_RULE, type SourceColumn } from '../sql/type-map';

/** The raw rows that hold a value no engine downstream represents, with the reason and the column. */
export const UNREPRESENTABLE_RELATION = 'etl_unrepresentable';

/** The relation holding a referenced table's key set. */
export const referenceRelation = (table: string) => quoteIdent(`etl_ref_${table}`);

/**
 * Defines `etl_input` (the raw rows the steps see) and one key-set view per referenced table. When the raw
 * rows carry the unrepresentable-value marker, marked rows go to `etl_unrepresentable` instead of the steps.
 */
export async function createInputRelations(
  connection: DuckDBConnection,
  input: { table: TableSpec; raw: string; references: Record<string, string | null>; lookups?: Record<string, string>; marked?: boolean },
): Promise<void> {
  if (input.marked) {
    const marker = quoteIdent(UNREPRESENTABLE_COLUMN);
    await connection.run(`CREATE OR REPLACE TEMP VIEW etl_input AS SELECT * EXCLUDE (${marker}) FROM ${input.raw} WHERE ${marker} IS NULL`);
    const rejected = `SELECT * EXCLUDE (${marker}), ${quoteLiteral(UNREPRESENTABLE_RULE)} AS reject_reason, ${marker} AS reject_column FROM ${input.raw} WHERE ${marker} IS NOT NULL`;
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${UNREPRESENTABLE_RELATION} AS ${rejected}`);
  } else {
    await connection.run(`CREATE OR REPLACE TEMP VIEW etl_input AS SELECT * FROM ${input.raw}`);
  }
  for (const step of input.table.transform) {
    if (step.kind !== 'references') continue;
    const path = input.references[step.body.table];
    const width = referenceColumns(step.body).length;
    const source = path ? `SELECT ${keySetColumns(width).join(', ')} FROM read_parquet(${quoteLiteral(path)})` : emptyKeySet(width);
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${referenceRelation(step.body.table)} AS ${source}`);
  }
  await createLookupRelations(connection, { table: input.table, lookups: input.lookups ?? {} });
}

/**
 * One view per looked-up table: its key set (text) and looked-up columns (typed as its target holds them). With
 * no file (the check before data moves), an empty one whose looked-up columns are VARCHAR.
 */
async function createLookupRelations(connection: DuckDBConnection, input: { table: TableSpec; lookups: Record<string, string> }): Promise<void> {
  for (const [name, need] of Object.entries(lookupNeeds(input.table.transform))) {
    const path = input.lookups[name];
    const names = [...keySetColumns(need.width), ...need.columns.map((column) => quoteIdent(column))];
    const source = path
      ? `SELECT ${names.join(', ')} FROM read_parquet(${quoteLiteral(path)})`
      : `SELECT ${names.map((column) => `CAST(NULL AS VARCHAR) AS ${column}`).join(', ')} WHERE false`;
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${lookupRelationName(name)} AS ${source}`);
  }
}

/** Columns a step may set to NULL although the source never holds one: their NOT NULL is not carried over. */
function nullableByTransform(table: TableSpec): Set<string> | 'all' {
  if (table.transform.some((step) => step.kind === 'sql')) return 'all';
  return new Set(table.transform.flatMap((step) => (step.kind === 'validateEmail' && step.body.onInvalid !== 'reject' ? [step.body.column] : [])));
}

/** A column the transform passed through unchanged (same name, same DuckDB type) keeps its source's warehouse type. */
function withSourceTypes(table: TableSpec, output: ColumnSpec[], sourceColumns: readonly SourceColumn[]): ColumnSpec[] {
  const nullable = nullableByTransform(table);
  return output.map((column) => {
    const source = sourceColumns.find((candidate) => candidate.name === column.name && candidate.duckdbType === column.type);
    if (!source?.warehouse) return { ...column, category: categoryOfDuckdbType(column.type) };
    const notNull = source.notNull === true && nullable !== 'all' && !nullable.has(column.name);
    return { ...column, category: source.category, warehouse: source.warehouse, ...(notNull ? { notNull } : {}) };
  });
}

/** The output columns (target order); the keys and partition columns must be among them. */
export async function checkOutputColumns(connection: DuckDBConnection, table: TableSpec, sourceColumns: readonly SourceColumn[] = []): Promise<ColumnSpec[]> {
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM etl_result`);
  const columns = described.getRows().map(([name, type]) => ({ name: String(name), type: String(type) }));
  if (!columns.some((column) => column.name === REJECT_COLUMN)) {
    throw ApplicationFailure.nonRetryable(`table ${table.name}: the transform dropped ${REJECT_COLUMN}; a sql step must keep it (SELECT *, … or SELECT …, ${REJECT_COLUMN})`, 'TransformInvalid');
  }
  const output = columns.filter((column) => column.name !== REJECT_COLUMN);
  const missing = [...table.primaryKey, ...table.partitionBy].filter((name) => !output.some((column) => column.name === name));
  if (missing.length > 0) {
    throw ApplicationFailure.nonRetryable(`table ${table.name}: transform output has no column ${missing.join(', ')} (output: ${output.map((c) => c.name).join(', ')})`, 'KeyColumnMissing');
  }
  return withSourceTypes(table, output, sourceColumns);
}
