import { DuckDBInstance } from '@duckdb/node-api';
import { parsePipeline } from '../../src/config';
import { copyKeysToStdout } from '../../src/connectors/sources/postgres/sql';
import { unloadKeys } from '../../src/connectors/targets/redshift/sql';
import { compileTransform } from '../../src/transform/compile';

/** A returns table whose (order_id, line_no) must be a line of the pipeline's lines table (composite key). */
function stepsOf(column: string | string[]) {
  const lines = { name: 'lines', source: 'raw.lines', target: 'a.lines', primaryKey: ['order_id', 'line_no'] };
  const returns = { name: 'returns', source: 'raw.returns', target: 'a.returns', primaryKey: ['return_id'], dependsOn: ['lines'], transform: [{ references: { rule: 'unknown_line', column, table: 'lines' } }] };
  return parsePipeline({ file: 'p.yaml', text: JSON.stringify({ name: 'p', lake: { bucket: 'lake-x' }, tables: [lines, returns] }) }).tables[1]?.transform ?? [];
}

describe('references to a composite key', () => {
  it('rejects a row whose column pair is no key of the referenced table, and leaves a pair with a NULL part unchecked', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    try {
      await connection.run(`CREATE TABLE input AS SELECT * FROM (VALUES (1, 10, 1), (2, 10, 2), (3, 11, 1), (4, NULL, 1), (5, 2, 10)) t(return_id, order_id, line_no)`);
      // The key set as extractKeys writes it: one text column per key column, in key order.
      await connection.run(`CREATE TABLE ref_lines AS SELECT * FROM (VALUES ('10', '1'), ('10', '2'), ('11', '2'), ('1', '102')) t(etl_key_1, etl_key_2)`);
      const sql = compileTransform({ source: 'input', steps: stepsOf(['order_id', 'line_no']), context: { keys: ['return_id'], referenceRelation: (table) => `ref_${table}` } });
      const rows = (await connection.runAndReadAll(`${sql} ORDER BY return_id`)).getRows();
      // (11, 1) is no line although 11 and 1 each appear in some key: the pair is matched, not each part alone.
      expect(rows.map(([id, , , reason]) => [id, reason])).toEqual([
        [1, null],
        [2, null],
        [3, 'unknown_line'],
        [4, null],
        [5, 'unknown_line'],
      ]);
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  });

  it('reads key sets with one text column per key column from Postgres and Redshift, and keeps the single-column form', () => {
    expect(copyKeysToStdout({ source: 'raw.lines', columns: ['order_id', 'line_no'] })).toBe(
      'COPY (SELECT "order_id"::text AS etl_key_1, "line_no"::text AS etl_key_2 FROM "raw"."lines" WHERE "order_id" IS NOT NULL AND "line_no" IS NOT NULL) TO STDOUT WITH (FORMAT csv)',
    );
    expect(copyKeysToStdout({ source: 'raw.customers', columns: ['customer_id'] })).toBe(
      'COPY (SELECT "customer_id"::text AS etl_key FROM "raw"."customers" WHERE "customer_id" IS NOT NULL) TO STDOUT WITH (FORMAT csv)',
    );
    // A lookup joins on its key set: its rows stay distinct.
    const region = { name: 'region', pgType: 'text', duckdbType: 'VARCHAR', category: 'text' } as const;
    expect(copyKeysToStdout({ source: 'raw.customers', columns: ['customer_id'], with: [region] })).toMatch(/^COPY \(SELECT DISTINCT "customer_id"::text AS etl_key, "region" FROM/);
    expect(unloadKeys({ target: 'a.lines', columns: ['order_id', 'line_no'], s3Prefix: 's3://lake/k/', iamRoleArn: 'arn:aws:iam::1:role/r' })).toContain(
      `SELECT DISTINCT CAST("order_id" AS VARCHAR(65535)) AS etl_key_1, CAST("line_no" AS VARCHAR(65535)) AS etl_key_2 FROM "a"."lines" WHERE "order_id" IS NOT NULL AND "line_no" IS NOT NULL`.replaceAll("'", "''"),
    );
  });
});
