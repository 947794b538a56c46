import type { DuckDBConnection } from '@duckdb/node-api';
import { ApplicationFailure } from '@temporalio/activity';
import type { TableSpec } from '../config/pipeline-schema';
import { quoteIdent, quoteLiteral } from '../sql/quote';
import { REJECT_COLUMN } from './compile';
import type { ColumnSpec } from '../sql/warehouse-types';

/** The relation holding a referenced table's key set. */
export const referenceRelation = (table: string) => quoteIdent(`etl_ref_${table}`);

/** Defines `etl_input` (the raw rows) and one key-set view per referenced table. */
export async function createInputRelations(
  connection: DuckDBConnection,
  input: { table: TableSpec; raw: string; references: Record<string, string | null> },
): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP VIEW etl_input AS SELECT * FROM ${input.raw}`);
  for (const step of input.table.transform) {
    if (step.kind !== 'references') continue;
    const path = input.references[step.body.table];
    const source = path ? `SELECT etl_key FROM read_parquet(${quoteLiteral(path)})` : 'SELECT CAST(NULL AS VARCHAR) AS etl_key WHERE false';
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${referenceRelation(step.body.table)} AS ${source}`);
  }
}

/** The output columns (target order); the keys and partition columns must be among them. */
export async function checkOutputColumns(connection: DuckDBConnection, table: TableSpec): Promise<ColumnSpec[]> {
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
  return output;
}
