import { quoteIdent } from './quote';

/** The aggregates DuckDB, Postgres and Redshift compute alike (avg differs: double vs numeric). */
const MEASURE = /^\s*(count|sum|min|max)\s*\(\s*(?:(distinct)\s+)?(\*|[A-Za-z_][A-Za-z0-9_]*|"[A-Za-z_][A-Za-z0-9_]*")\s*\)\s*$/i;

export interface Measure {
  fn: 'count' | 'sum' | 'min' | 'max';
  /** null: count(*). */
  column: string | null;
  distinct: boolean;
}

export const MEASURE_FORMS = 'count(*), count(column), count(distinct column), sum(column), min(column) or max(column)';

/** A rollup measure as its parts, or undefined when it is not one of MEASURE_FORMS. */
export function parseMeasure(text: string): Measure | undefined {
  const match = MEASURE.exec(text);
  if (!match?.[1] || !match[3]) return undefined;
  const fn = match[1].toLowerCase() as Measure['fn'];
  const star = match[3] === '*';
  if (star && (fn !== 'count' || match[2])) return undefined;
  return { fn, column: star ? null : match[3].replace(/^"|"$/g, ''), distinct: Boolean(match[2]) };
}

/** The measure as SQL built only from its parts: the user's text itself never reaches DuckDB or the warehouse. */
export function measureSql(text: string): string {
  const measure = parseMeasure(text);
  if (!measure) throw new Error(`rollup measure "${text}" is not one of ${MEASURE_FORMS}`);
  if (measure.column === null) return 'count(*)';
  return `${measure.fn}(${measure.distinct ? 'DISTINCT ' : ''}${quoteIdent(measure.column)})`;
}
