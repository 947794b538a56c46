import { lookupOutputs, referenceColumns } from '../config/transform-schema';
import { keySetColumns } from '../sql/key-set';
import type { TransformStep } from '../config/transform-schema';
import { quoteIdent, quoteLiteral } from '../sql/quote';

/** The column that carries the first rule a row failed; NULL means the row is accepted. */
export const REJECT_COLUMN = '_etl_reject';
/** Seed 000's email rule, as in its etl_customer_data procedure. */
export const EMAIL_PATTERN = '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$';

export interface TransformContext {
  keys: readonly string[];
  /** Relation name holding the key set of each referenced table. */
  referenceRelation: (table: string) => string;
  /** Relation name holding each looked-up table's key set with its looked-up columns. */
  lookupRelation?: (table: string) => string;
}

const reject = (rule: string, failed: string) =>
  `coalesce(${REJECT_COLUMN}, CASE WHEN ${failed} THEN ${quoteLiteral(rule)} END) AS ${REJECT_COLUMN}`;

function replaceEach(prev: string, columns: readonly string[], expression: (column: string) => string): string {
  return `SELECT * REPLACE (${columns.map((column) => `${expression(quoteIdent(column))} AS ${quoteIdent(column)}`).join(', ')}) FROM ${prev}`;
}

function literalSql(value: string | number | boolean): string {
  return typeof value === 'string' ? quoteLiteral(value) : String(value);
}

/** One step as a SELECT over the relation `prev` (the previous step's CTE). */
function stepSql(step: TransformStep, context: TransformContext, prev: string): string {
  switch (step.kind) {
    case 'trim':
      return replaceEach(prev, step.body, (column) => `trim(${column})`);
    case 'upper':
      return replaceEach(prev, step.body, (column) => `upper(${column})`);
    case 'lower':
      return replaceEach(prev, step.body, (column) => `lower(${column})`);
    case 'fillNulls':
      return `SELECT * REPLACE (${Object.entries(step.body).map(([column, value]) => `coalesce(${quoteIdent(column)}, ${literalSql(value)}) AS ${quoteIdent(column)}`).join(', ')}) FROM ${prev}`;
    case 'validateEmail': {
      const column = quoteIdent(step.body.column);
      const invalid = `${column} IS NOT NULL AND NOT regexp_matches(${column}, ${quoteLiteral(EMAIL_PATTERN)})`;
      if (step.body.onInvalid === 'reject') return `SELECT * REPLACE (${reject(step.body.rule, invalid)}) FROM ${prev}`;
      return `SELECT * REPLACE (CASE WHEN ${invalid} THEN NULL ELSE ${column} END AS ${column}) FROM ${prev}`;
    }
    case 'dropNulls':
      return `SELECT * REPLACE (${reject(step.body.rule, step.body.columns.map((column) => `${quoteIdent(column)} IS NULL`).join(' OR '))}) FROM ${prev}`;
    case 'filter':
      return `SELECT * REPLACE (${reject(step.body.rule, `NOT coalesce((${step.body.keep}), false)`)}) FROM ${prev}`;
    case 'cast':
      return castSql(step.body, prev);
    case 'references': {
      const columns = referenceColumns(step.body).map((name) => quoteIdent(name));
      const relation = context.referenceRelation(step.body.table);
      // Keys travel as text, so integer and text keys compare the same way. A composite value with a NULL part
      // is not checked, as SQL's MATCH SIMPLE foreign keys do not check it.
      const known =
        columns.length === 1
          ? `CAST(${columns[0] ?? ''} AS VARCHAR) IN (SELECT etl_key FROM ${relation})`
          : `EXISTS (SELECT 1 FROM ${relation} AS etl_ref WHERE ${columns.map((column, index) => `etl_ref.etl_key_${index + 1} = CAST(${column} AS VARCHAR)`).join(' AND ')})`;
      const present = columns.map((column) => `${column} IS NOT NULL`).join(' AND ');
      return `SELECT * REPLACE (${reject(step.body.rule, `${present} AND NOT (${known})`)}) FROM ${prev}`;
    }
    case 'lookup':
      return lookupSql(step.body, context, prev);
    case 'derive':
      return `SELECT *, ${Object.entries(step.body).map(([name, expression]) => `(${expression}) AS ${quoteIdent(name)}`).join(', ')} FROM ${prev}`;
    case 'dedupe':
      return dedupeSql(step.body.orderBy, context.keys, prev);
    case 'select':
      return `SELECT ${[...step.body.map(quoteIdent), REJECT_COLUMN].join(', ')} FROM ${prev}`;
    case 'sql':
      // The file's query is a subquery of its own, so it may start with WITH; it reads `input`, the CTE here.
      return `SELECT * FROM (WITH input AS (SELECT * FROM ${prev}) SELECT * FROM (${step.body.query.trim().replace(/;\s*$/, '')}\n))`;
  }
}

/**
 * A left join on the looked-up table's key set (keys as text, as for references): the looked-up columns are
 * added; a row whose `on` values are all present but match no key is rejected as the rule unless onMiss is null.
 */
function lookupSql(body: Extract<TransformStep, { kind: 'lookup' }>['body'], context: TransformContext, prev: string): string {
  const relation = (context.lookupRelation ?? lookupRelationName)(body.table);
  const keyNames = keySetColumns(body.on.length);
  const join = body.on.map((column, index) => `etl_lookup.${keyNames[index] ?? ''} = CAST(etl_row.${quoteIdent(column)} AS VARCHAR)`).join(' AND ');
  const added = lookupOutputs(body).map((output) => `etl_lookup.${quoteIdent(output.column)} AS ${quoteIdent(output.name)}`);
  const present = body.on.map((column) => `etl_row.${quoteIdent(column)} IS NOT NULL`).join(' AND ');
  const missed = `${present} AND etl_lookup.${keyNames[0] ?? ''} IS NULL`;
  const star = body.onMiss === 'reject' ? `etl_row.* REPLACE (${reject(body.rule, missed)})` : 'etl_row.*';
  return `SELECT ${[star, ...added].join(', ')} FROM ${prev} AS etl_row LEFT JOIN ${relation} AS etl_lookup ON ${join}`;
}

/** The relation holding a looked-up table's key set and columns. */
export const lookupRelationName = (table: string) => quoteIdent(`etl_lookup_${table}`);

/** A value that does not convert is rejected as invalid_<column>, never silently turned into NULL. */
function castSql(casts: Record<string, string>, prev: string): string {
  const entries = Object.entries(casts);
  const failed = entries.map(([column, type]) => `(${quoteIdent(column)} IS NOT NULL AND TRY_CAST(${quoteIdent(column)} AS ${type}) IS NULL)`);
  const rules = entries.map(([column], index) => `WHEN ${failed[index] ?? 'false'} THEN ${quoteLiteral(`invalid_${column}`)}`);
  const replaced = entries.map(([column, type]) => `TRY_CAST(${quoteIdent(column)} AS ${type}) AS ${quoteIdent(column)}`);
  return `SELECT * REPLACE (${[...replaced, `coalesce(${REJECT_COLUMN}, CASE ${rules.join(' ')} END) AS ${REJECT_COLUMN}`].join(', ')}) FROM ${prev}`;
}

/** Among accepted rows, the latest per key wins; the others are rejected as duplicate_key. */
function dedupeSql(orderBy: readonly string[], keys: readonly string[], prev: string): string {
  const partition = [`${REJECT_COLUMN} IS NULL`, ...keys.map(quoteIdent)].join(', ');
  const order = orderBy.map((column) => `${quoteIdent(column)} DESC NULLS LAST`).join(', ');
  const rank = `row_number() OVER (PARTITION BY ${partition} ORDER BY ${order})`;
  return `SELECT * REPLACE (CASE WHEN ${REJECT_COLUMN} IS NULL AND ${rank} > 1 THEN 'duplicate_key' ELSE ${REJECT_COLUMN} END AS ${REJECT_COLUMN}) FROM ${prev}`;
}

/**
 * Compiles the pipeline's steps into one DuckDB query over `input` (the raw rows): a chain of CTEs, one per
 * step, each a SELECT over the previous. Rejecting steps only mark rows, so every row reaches the end,
 * accepted or with the first rule it failed.
 */
export function compileTransform(input: { source: string; steps: readonly TransformStep[]; context: TransformContext }): string {
  const ctes = [`s0 AS (SELECT *, CAST(NULL AS VARCHAR) AS ${REJECT_COLUMN} FROM ${input.source})`];
  input.steps.forEach((step, index) => {
    ctes.push(`s${index + 1} AS (${stepSql(step, input.context, `s${index}`)})`);
  });
  return `WITH ${ctes.join(',\n')}\nSELECT * FROM s${input.steps.length}`;
}
