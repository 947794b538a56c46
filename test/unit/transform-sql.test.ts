import { DuckDBInstance } from '@duckdb/node-api';
import { parsePipeline } from '../../src/config';
import { compileTransform, EMAIL_PATTERN } from '../../src/transform/compile';

function stepsOf(transform: unknown[]) {
  const customers = { name: 'customers', source: 'a.c', target: 'c.c', primaryKey: ['id'] };
  const table = { name: 't', source: 'a.b', target: 'c.d', primaryKey: ['id'], dependsOn: ['customers'], transform };
  const text = JSON.stringify({ name: 't', lake: { bucket: 'lake-x' }, tables: [customers, table] });
  const steps = parsePipeline({ file: 't.yaml', text }).tables[1]?.transform ?? [];
  // loadPipeline inlines sql files; here the query is given directly.
  for (const step of steps) if (step.kind === 'sql') step.body.query = 'SELECT * FROM input;';
  return steps;
}

const context = { keys: ['id'], referenceRelation: (table: string) => `ref_${table}` };

/** Runs the compiled transform on a small inline table in an in-memory DuckDB: pure SQL, no services. */
async function apply(transform: unknown[], rows: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    await connection.run(`CREATE TABLE input AS SELECT * FROM (VALUES ${rows}) t(id, name, email, qty, updated_at)`);
    await connection.run(`CREATE TABLE ref_customers AS SELECT * FROM (VALUES ('1'), ('2')) t(etl_key)`);
    const sql = compileTransform({ source: 'input', steps: stepsOf(transform), context });
    return (await connection.runAndReadAll(`${sql} ORDER BY ALL`)).getRows();
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

describe('transform compilation', () => {
  it('chains one CTE per step, each reading the previous', () => {
    const sql = compileTransform({ source: 'etl_input', steps: stepsOf([{ trim: ['name'] }, { upper: ['name'] }]), context });
    expect(sql).toBe(
      'WITH s0 AS (SELECT *, CAST(NULL AS VARCHAR) AS _etl_reject FROM etl_input),\n' +
        's1 AS (SELECT * REPLACE (trim("name") AS "name") FROM s0),\n' +
        's2 AS (SELECT * REPLACE (upper("name") AS "name") FROM s1)\nSELECT * FROM s2',
    );
  });

  it('uses seed 000 email rule', () => {
    expect(EMAIL_PATTERN).toBe('^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$');
  });

  it('cleans, rejects with the first failed rule, and keeps the latest duplicate', async () => {
    const rows = await apply(
      [
        { dropNulls: { columns: ['id'], rule: 'null_key' } },
        { dedupe: { orderBy: ['updated_at'] } },
        { trim: ['name'] },
        { upper: ['name'] },
        { validateEmail: { column: 'email' } },
        { filter: { rule: 'negative_quantity', keep: 'qty >= 0' } },
        { references: { rule: 'unknown_customer', column: 'id', table: 'customers' } },
      ],
      `(1, '  ann ', 'ann@example.com', 1, 1), (1, 'ann', 'ann@example.com', 2, 2), (2, 'bob', 'not-an-email', -1, 1),
       (3, 'cy', 'cy@example.org', 1, 1), (NULL, 'dee', NULL, 1, 1)`,
    );
    expect(rows).toEqual([
      [1, 'ANN', 'ann@example.com', 1, 1, 'duplicate_key'],
      [1, 'ANN', 'ann@example.com', 2, 2, null],
      [2, 'BOB', null, -1, 1, 'negative_quantity'],
      [3, 'CY', 'cy@example.org', 1, 1, 'unknown_customer'],
      [null, 'DEE', null, 1, 1, 'null_key'],
    ]);
  });

  it('rejects values a cast cannot convert instead of nulling them', async () => {
    const rows = await apply([{ cast: { name: 'INTEGER' } }], `(1, '42', NULL, 1, 1), (2, 'forty', NULL, 1, 1), (3, NULL, NULL, 1, 1)`);
    expect(rows.map((row) => [row[1], row[5]])).toEqual([
      [42, null],
      [null, 'invalid_name'],
      [null, null],
    ]);
  });

  it('fills nulls, derives columns, selects the output order and runs a sql file step', async () => {
    const rows = await apply(
      [
        { fillNulls: { email: 'none' } },
        { derive: { doubled: 'qty * 2' } },
        { select: ['doubled', 'id', 'email'] },
        { sql: 'step.sql' },
      ],
      `(1, 'a', CAST(NULL AS VARCHAR), 3, 1)`,
    );
    expect(rows).toEqual([[6, 1, 'none', null]]);
  });
});
