import { parsePipeline, type TableSpec } from '../../src/config';
import { declaredSourceColumns } from '../../src/connectors/sources/files/columns';
import { compressionOf, globToRegExp, matchesGlob } from '../../src/connectors/sources/files/glob';
import { chooseFiles } from '../../src/connectors/sources/files/plan';
import { readFile } from '../../src/connectors/sources/files/sql';
import { applyStagedRows, type LoadPlanSpec } from '../../src/connectors/targets/load-plan';
import { resetTables } from '../../src/connectors/targets/state-sql';
import { issuesOf } from '../support/config-issues';

const filesTable = (extra = '') => `
name: p
lake: { bucket: my-lake }
tables:
  - name: returns
    kind: files
    files: { prefix: landing/returns/, glob: "*.csv*", format: csv }
    columns: { return_id: BIGINT, amount: "DECIMAL(12,2)", returned_at: TIMESTAMP }
    target: analytics.returns
    primaryKey: [return_id]${extra}
`;

describe('a files table in the pipeline file', () => {
  it('is valid without a source, labelled files.<name>, with onRewrite: fail and a header by default', () => {
    const table = parsePipeline({ file: 'p.yaml', text: filesTable() }).tables[0] as TableSpec;
    expect(table).toMatchObject({ kind: 'files', source: 'files.returns', files: { prefix: 'landing/returns/', glob: '*.csv*', format: 'csv', header: true, onRewrite: 'fail', delimiter: ',' } });
  });

  it('names the field of each misconfiguration', () => {
    expect(issuesOf(filesTable().replace('format: csv', 'format: xlsx'))).toEqual([expect.stringMatching(/^tables\[0\]\.files\.format: .*"csv"\|"ndjson"\|"parquet"/)]);
    expect(issuesOf(filesTable().replace('landing/returns/', 'landing/returns'))).toEqual([expect.stringMatching(/^tables\[0\]\.files\.prefix: expected a key prefix ending in \//)]);
    expect(issuesOf(filesTable().replace('amount: "DECIMAL(12,2)"', 'amount: MONEY'))).toEqual([expect.stringMatching(/^tables\[0\]\.columns\.amount: expected a type such as BIGINT/)]);
    expect(issuesOf(filesTable().replace('primaryKey: [return_id]', 'primaryKey: [id]'))).toEqual(['tables[0].primaryKey: id not among columns']);
    expect(issuesOf(filesTable('\n    watermark: returned_at'))).toEqual(['tables[0].watermark: a files table reads each object once (file bookmarks); it has no watermark']);
    expect(issuesOf(filesTable('\n    deletes: propagate'))).toEqual(['tables[0].deletes: a files table cannot see deleted rows; deletes applies to Postgres tables']);
    expect(issuesOf(filesTable().replace(/ {4}files: .*\n/, ''))).toEqual(['tables[0].files: required with kind: files: { prefix, glob, format }']);
    expect(issuesOf(filesTable().replace('kind: files', 'kind: ftp'))).toEqual([expect.stringMatching(/^tables\[0\]\.kind: .*"postgres"\|"files"/)]);
  });

  it('keeps a Postgres table needing its source, and refusing files settings', () => {
    const postgres = 'name: p\nlake: { bucket: my-lake }\ntables:\n  - { name: t, target: a.t, primaryKey: [id], columns: { id: BIGINT } }\n';
    expect(issuesOf(postgres)).toEqual(['tables[0].source: required: the schema-qualified source table (or set kind: files or kind: http)', 'tables[0].columns: only used with kind: files or kind: http']);
  });
});

describe('choosing the objects of a run', () => {
  const table = (onRewrite: 'reload' | 'skip' | 'fail', mode: 'merge' | 'full-refresh' = 'merge') => ({ name: 'returns', mode, files: { onRewrite } }) as unknown as TableSpec;
  const objects = [
    { key: 'l/a.csv', etag: 'e1', size: 1 },
    { key: 'l/b.csv', etag: 'e2-new', size: 1 },
    { key: 'l/c.csv', etag: 'e3', size: 1 },
  ];
  const bookmarks = new Map([['l/a.csv', 'e1'], ['l/b.csv', 'e2']]);

  it('reads new objects, leaves loaded ones, and handles a rewritten one as onRewrite says', () => {
    expect(chooseFiles({ pipeline: 'p', table: table('reload'), objects, bookmarks })).toEqual({ files: [objects[1], objects[2]], skipped: [] });
    expect(chooseFiles({ pipeline: 'p', table: table('skip'), objects, bookmarks })).toEqual({ files: [objects[2]], skipped: ['l/b.csv'] });
    expect(() => chooseFiles({ pipeline: 'p', table: table('fail'), objects, bookmarks })).toThrow(/^pipeline p, table returns, step plan: l\/b\.csv was loaded before and has been rewritten \(new ETag\)/);
  });

  it('reads every object on a full refresh', () => {
    expect(chooseFiles({ pipeline: 'p', table: table('fail', 'full-refresh'), objects, bookmarks }).files).toEqual(objects);
  });
});

describe('globs, compression and declared types', () => {
  it('matches names under the prefix: * within a level, ** across levels', () => {
    const glob = globToRegExp('*.csv*');
    expect(['p/a.csv', 'p/a.csv.gz', 'p/sub/a.csv', 'q/a.csv', 'p/a.txt'].map((key) => matchesGlob({ key, prefix: 'p/', glob }))).toEqual([true, true, false, false, false]);
    expect(matchesGlob({ key: 'p/2026/01/a.json', prefix: 'p/', glob: globToRegExp('**/*.json') })).toBe(true);
    expect(matchesGlob({ key: 'p/a+b.csv', prefix: 'p/', glob: globToRegExp('a+b.csv') })).toBe(true);
  });

  it('tells compression by extension', () => {
    expect(['a.csv', 'a.csv.gz', 'a.json.GZIP', 'a.csv.zst', 'a.parquet.zstd'].map(compressionOf)).toEqual(['none', 'gzip', 'gzip', 'zstd', 'zstd']);
  });

  it('maps declared types through the type map', () => {
    const columns = declaredSourceColumns({ id: 'BIGINT', amount: 'DECIMAL(12, 2)', at: 'TIMESTAMPTZ', note: 'VARCHAR', ok: 'boolean' });
    expect(columns.map((column) => [column.name, column.duckdbType, column.category])).toEqual([
      ['id', 'BIGINT', 'integer'],
      ['amount', 'DECIMAL(12,2)', 'decimal'],
      ['at', 'TIMESTAMP WITH TIME ZONE', 'timestamptz'],
      ['note', 'VARCHAR', 'text'],
      ['ok', 'BOOLEAN', 'boolean'],
    ]);
  });

  it('reads CSV with the declared types, no sniffing, and rejects stored with their lines', () => {
    const sql = readFile({ path: "/spool/it's.csv", format: 'csv', compression: 'gzip', columns: declaredSourceColumns({ id: 'BIGINT' }), header: true, delimiter: ';' });
    expect(sql).toBe(
      "read_csv('/spool/it''s.csv', columns = {'id': 'BIGINT'}, header = true, delim = ';', quote = '\"', escape = '\"', auto_detect = false, compression = 'gzip', max_line_size = 8388608, store_rejects = true, rejects_scan = 'etl_reject_scans', rejects_table = 'etl_reject_errors')",
    );
  });
});

describe('file bookmarks in the load transaction', () => {
  const spec: LoadPlanSpec = { dialect: 'redshift', pipeline: 'demo', table: 'returns', target: 'analytics.returns', mode: 'merge', keys: ['return_id'], columns: [{ name: 'return_id', type: 'BIGINT' }], rollups: [], runId: 'run-1', fileBookmarks: [{ key: "landing/o'brien.csv", etag: 'abc', rows: 3 }, { key: 'landing/b.csv', etag: 'def', rows: 0 }] };

  it('are replaced by key with one DELETE and one INSERT, after the rows are applied', () => {
    const statements = applyStagedRows(spec);
    const at = statements.findIndex((sql) => sql.startsWith('DELETE FROM etl_state.file_bookmarks'));
    expect(at).toBeGreaterThan(statements.findIndex((sql) => sql.startsWith('INSERT INTO "analytics"."returns"')));
    expect(statements.slice(at, at + 2)).toEqual([
      "DELETE FROM etl_state.file_bookmarks WHERE pipeline = 'demo' AND table_name = 'returns' AND object_key IN ('landing/o''brien.csv', 'landing/b.csv')",
      "INSERT INTO etl_state.file_bookmarks (pipeline, table_name, object_key, etag, row_count, run_id, loaded_at) VALUES ('demo', 'returns', 'landing/o''brien.csv', 'abc', 3, 'run-1', getdate()), ('demo', 'returns', 'landing/b.csv', 'def', 0, 'run-1', getdate())",
    ]);
    expect(applyStagedRows({ ...spec, fileBookmarks: undefined }).some((sql) => sql.includes('file_bookmarks'))).toBe(false);
  });

  it('are forgotten by etl reset', () => {
    expect(resetTables({ dialect: 'postgres', pipeline: 'demo', tables: [{ name: 'returns', targets: [] }], truncate: false, requestedBy: 'me', reason: 'r', runId: 'x' })).toContain("DELETE FROM etl_state.file_bookmarks WHERE pipeline = 'demo' AND table_name = 'returns'");
  });
});
