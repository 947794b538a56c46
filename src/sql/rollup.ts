import type { Rollup } from '../config/pipeline-schema';
import { measureSql } from './measure';
import { quoteIdent } from './quote';

/**
 * A rollup's aggregate over a relation (already quoted SQL): the group-by columns, then each measure, in
 * the rollup table's column order. Measures are rebuilt from their parsed parts (see measureSql).
 */
export function selectRollup(input: { rollup: Rollup; from: string; where?: string }): string {
  const groups = input.rollup.groupBy.map(quoteIdent);
  const measures = Object.entries(input.rollup.measures).map(([name, expression]) => `${measureSql(expression)} AS ${quoteIdent(name)}`);
  const where = input.where ? ` WHERE ${input.where}` : '';
  return `SELECT ${[...groups, ...measures].join(', ')} FROM ${input.from}${where} GROUP BY ${groups.join(', ')}`;
}

/** The rollup table's columns, in order. */
export function rollupColumns(rollup: Rollup): string[] {
  return [...rollup.groupBy, ...Object.keys(rollup.measures)];
}
