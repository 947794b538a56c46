import type { DuckDBConnection } from '@duckdb/node-api';

/** Relation the expression check selects from; user text never names it. */
const CHECK_RELATION = 'etl_expression_check';

/** Scalar functions that read the host or the session rather than the row (files, settings, environment). */
const DENIED_FUNCTION = /^(getenv|current_setting|read_\w*|glob|query|query_table|sniff_csv|parquet_\w+|duckdb_\w+|pragma_\w+|which_secret|load_\w*|install_\w*)$/i;

type Json = Record<string, unknown>;

/** DuckDB's own parse of `sql` (json_serialize_sql): its statements, or why it is not a single SELECT. */
async function parseStatements(connection: DuckDBConnection, sql: string): Promise<{ statements: Json[] } | { problem: string }> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  const parsed = JSON.parse(String(reader.getRows()[0]?.[0] ?? '{}')) as { error?: boolean; error_message?: string; statements?: Json[] };
  if (parsed.error) {
    // json_serialize_sql serializes SELECTs only: COPY, ATTACH, SET, PRAGMA, INSTALL… end up here.
    const text = String(parsed.error_message ?? 'does not parse');
    return { problem: /only select/i.test(text) ? 'it holds a statement other than SELECT (COPY, ATTACH, SET, PRAGMA, INSTALL… are not allowed)' : text };
  }
  return { statements: parsed.statements ?? [] };
}

/** Every object in a parse tree, depth first. */
function* walk(node: unknown): Generator<Json> {
  if (Array.isArray(node)) {
    for (const item of node) yield* walk(item);
  } else if (node !== null && typeof node === 'object') {
    yield node as Json;
    for (const value of Object.values(node)) yield* walk(value);
  }
}

/** Names of every CTE defined anywhere in the tree (a sql step may read those and `input`). */
function cteNames(tree: unknown): Set<string> {
  const names = new Set<string>();
  for (const node of walk(tree)) {
    const map = (node.cte_map as { map?: { key?: unknown }[] } | undefined)?.map;
    for (const entry of map ?? []) names.add(String(entry.key).toLowerCase());
  }
  return names;
}

/** The first thing in the tree that reads outside the rows: a table function, a file, another table, a denied function. */
function findForbidden(tree: unknown, readable: Set<string>, allowSubqueries: boolean): string | undefined {
  for (const node of walk(tree)) {
    if (node.type === 'TABLE_FUNCTION') {
      const name = (node.function as Json | undefined)?.function_name;
      return `it calls the table function ${String(name)}(); user SQL may read only its input rows`;
    }
    if (node.type === 'BASE_TABLE') {
      const name = String(node.table_name);
      if (node.schema_name || node.catalog_name || !readable.has(name.toLowerCase())) {
        return `it reads "${name}"; user SQL may read only ${[...readable].join(', ') || 'the row it is given'}`;
      }
    }
    if (node.class === 'SUBQUERY' && !allowSubqueries) return 'it holds a subquery; an expression works on one row';
    if (node.class === 'FUNCTION' && DENIED_FUNCTION.test(String(node.function_name))) {
      return `it calls ${String(node.function_name)}(), which reads the host or the session`;
    }
  }
  return undefined;
}

/**
 * Why `expression` is not exactly one scalar expression over a row (undefined when it is): it is parsed by
 * DuckDB as the only item of `SELECT (…) FROM <relation>`, so a second statement, a second column, a FROM,
 * WHERE or comment trick, a subquery, a table function or a host-reading function each show up in the tree.
 */
export async function checkExpression(connection: DuckDBConnection, expression: string): Promise<string | undefined> {
  const parsed = await parseStatements(connection, `SELECT (${expression}) AS etl_value FROM ${CHECK_RELATION}`);
  if ('problem' in parsed) return parsed.problem;
  const [statement, ...more] = parsed.statements;
  const node = statement?.node as Json | undefined;
  if (more.length > 0) return 'it holds more than one statement';
  const from = node?.from_table as Json | undefined;
  const selectList = node?.select_list as unknown[] | undefined;
  const clean =
    node?.type === 'SELECT_NODE' && selectList?.length === 1 && from?.type === 'BASE_TABLE' && from.table_name === CHECK_RELATION &&
    node.where_clause === null && node.having === null && node.qualify === null && node.sample === null &&
    (node.group_expressions as unknown[]).length === 0 && (node.modifiers as unknown[]).length === 0 &&
    ((node.cte_map as { map: unknown[] }).map.length === 0);
  if (!clean) return 'it is not a single expression (it adds columns, clauses or statements around itself)';
  return findForbidden(selectList, new Set(), false);
}

/** Why `query` is not exactly one SELECT over `input` (undefined when it is). */
export async function checkSelect(connection: DuckDBConnection, query: string): Promise<string | undefined> {
  const parsed = await parseStatements(connection, query);
  if ('problem' in parsed) return parsed.problem;
  if (parsed.statements.length !== 1) return `it holds ${parsed.statements.length} statements; a sql step is exactly one SELECT`;
  const readable = new Set(['input', ...cteNames(parsed.statements)]);
  return findForbidden(parsed.statements, readable, true);
}
