import type { DuckDBConnection } from '@duckdb/node-api';
import { ApplicationFailure } from '@temporalio/activity';
import type { TableSpec, TransformStep } from '../config/pipeline-schema';
import type { SourceColumn } from '../sql/pg-types';
import { quoteIdent } from '../sql/quote';
import { selectRollup } from '../sql/rollup';
import { compileTransform } from './compile';
import type { ColumnSpec } from '../sql/warehouse-types';
import type { DuckdbDeps } from '../activities/duckdb';
import { withDuckdb } from './duckdb-session';
import { checkOutputColumns, createInputRelations, referenceRelation } from './relations';

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

export function createTransformCheckActivities(deps: DuckdbDeps) {
  return {
    /**
     * Compiles a table's transform against an empty relation with the source's column types, step by step,
     * so a bad expression or a missing column fails the run before any data moves, naming the step.
     */
    async checkTransform(input: { table: TableSpec; sourceColumns: SourceColumn[] }): Promise<{ columns: ColumnSpec[] }> {
      const { table } = input;
      return withDuckdb({ duckdb: deps.duckdb, context: { table: table.name, step: 'check' } }, async (connection) => {
        const columns = input.sourceColumns.map((column) => `${quoteIdent(column.name)} ${column.duckdbType}`).join(', ');
        await connection.run(`CREATE OR REPLACE TEMP TABLE etl_empty (${columns})`);
        await createInputRelations(connection, { table, raw: 'etl_empty', references: {} });
        for (let count = 1; count <= table.transform.length; count += 1) {
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
    },
  };
}
