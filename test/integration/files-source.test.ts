import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../../src/client/errors';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createPostgresTarget } from '../../src/connectors/targets/postgres/load';
import { openDuckdb } from '../support/duckdb';
import { deleteUnder, gzip, listKeys, putObject, readText, returnRows, returnsCsv, zstd, type ReturnRow } from '../support/files-landing';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';
import { queryLakeParquet } from '../support/lake';

/**
 * The files source on the real S3 server: CSV objects (plain, gzip, zstd) landing under a prefix are loaded
 * once each across runs, a file added between runs is picked up, a rewritten one is handled as onRewrite
 * says, a malformed row goes to rejected/ with file and line, a bad file to quarantine while the others load.
 * The expected warehouse rows are the rows the test wrote into the files.
 */
const BUCKET = LOCAL_STACK.lakeBucket;
const ROOT = 'test-files/';
const LANDING = `${ROOT}landing/returns/`;
const QUARANTINE = `${ROOT}quarantine/returns/`;
const TARGET = 'test_files_wh.returns';
let harness: Harness;

function pipeline(onRewrite: 'reload' | 'skip' | 'fail' = 'fail'): Pipeline {
  const table = {
    name: 'returns',
    kind: 'files',
    files: { prefix: LANDING, glob: '*.csv*', format: 'csv', header: true, onRewrite },
    columns: { return_id: 'BIGINT', sale_id: 'BIGINT', amount: 'DECIMAL(12,2)', returned_at: 'TIMESTAMP', reason: 'VARCHAR' },
    target: TARGET,
    primaryKey: ['return_id'],
    mode: 'merge',
  };
  return parsePipeline({ file: 'files.yaml', text: JSON.stringify({ name: 'files-test', lake: { bucket: BUCKET, prefix: ROOT }, tables: [table] }) });
}

/** The warehouse rows, rendered as the test wrote them. */
async function warehouseRows(target = TARGET): Promise<ReturnRow[]> {
  const result = await harness.warehouse.query<{ return_id: string; sale_id: string; amount: string; returned_at: string; reason: string }>(
    `SELECT return_id::text, sale_id::text, amount::text, to_char(returned_at, 'YYYY-MM-DD HH24:MI:SS') AS returned_at, reason FROM ${target}`,
  );
  return byId(result.rows.map((row) => ({ return_id: Number(row.return_id), sale_id: Number(row.sale_id), amount: row.amount, returned_at: row.returned_at, reason: row.reason })));
}

async function bookmarks(): Promise<{ object_key: string; etag: string; row_count: string }[]> {
  const result = await harness.warehouse.query<{ object_key: string; etag: string; row_count: string }>("SELECT object_key, etag, row_count::text FROM etl_state.file_bookmarks WHERE pipeline = 'files-test' ORDER BY object_key");
  return result.rows;
}

const byId = (rows: ReturnRow[]) => [...new Map(rows.map((row) => [row.return_id, row])).values()].sort((a, b) => a.return_id - b.return_id);
let expected: ReturnRow[] = [];

beforeAll(async () => {
  harness = await createHarness();
  await deleteUnder(harness.deps.s3, BUCKET, ROOT);
  await resetWarehouse(harness.warehouse, ['test_files_wh']);
  await harness.warehouse.query("DELETE FROM etl_state.file_bookmarks WHERE pipeline LIKE 'files-test%'").catch(() => undefined);
});
afterAll(() => harness.close());

describe('a files source', () => {
  it('loads every good row of every matching file, sets malformed rows and bad files aside, and bookmarks what it read', async () => {
    const a = returnRows(1, 5);
    const b = returnRows(6, 8);
    const c = returnRows(9, 10);
    await putObject(harness.deps.s3, BUCKET, `${LANDING}a.csv`, returnsCsv(a, { after: 1, line: '99,1099,not-a-number,2026-01-01 00:00:00,x' }));
    await putObject(harness.deps.s3, BUCKET, `${LANDING}b.csv.gz`, gzip(returnsCsv(b)));
    await putObject(harness.deps.s3, BUCKET, `${LANDING}c.csv.zst`, zstd(returnsCsv(c)));
    await putObject(harness.deps.s3, BUCKET, `${LANDING}wrong.csv`, 'id,when,what\n1,2,3\n');
    await putObject(harness.deps.s3, BUCKET, `${LANDING}broken.csv.gz`, 'this is not gzip at all');
    await putObject(harness.deps.s3, BUCKET, `${LANDING}readme.txt`, 'not matched by the glob');

    const manifest = await harness.run(pipeline());
    const table = manifest.tables[0];
    expected = byId([...a, ...b, ...c]);
    expect(await warehouseRows()).toEqual(expected);
    expect(table).toMatchObject({ extractedRows: 11, loadedRows: 10, rejectedRows: 1, sourceRows: 11, rejectedByRule: { malformed_row: 1 } });
    expect(table?.files).toMatchObject({ read: 3, quarantined: 2, malformedRows: 1, bookmarked: 3 });

    // The malformed row: which file, which line (the header is line 1, the bad row follows row 2), which column.
    const [malformedKey] = table?.files?.malformedKeys ?? [];
    const rejected = await queryLakeParquet(harness, `s3://${BUCKET}/${malformedKey}`, 'SELECT file, line, reject_column, reject_reason FROM $file');
    expect(rejected).toEqual([[`${LANDING}a.csv`, 4n, 'amount', 'cast']]);

    // The bad files moved to quarantine, each with its reason beside it; the landing prefix no longer has them.
    expect(await listKeys(harness.deps.s3, BUCKET, QUARANTINE)).toEqual([`${QUARANTINE}broken.csv.gz`, `${QUARANTINE}broken.csv.gz.reason.json`, `${QUARANTINE}wrong.csv`, `${QUARANTINE}wrong.csv.reason.json`]);
    expect(await listKeys(harness.deps.s3, BUCKET, LANDING)).toEqual([`${LANDING}a.csv`, `${LANDING}b.csv.gz`, `${LANDING}c.csv.zst`, `${LANDING}readme.txt`]);
    const wrong = JSON.parse(await readText(harness.deps.s3, BUCKET, `${QUARANTINE}wrong.csv.reason.json`)) as { reason: string; file: string };
    expect(wrong.file).toBe(`s3://${BUCKET}/${LANDING}wrong.csv`);
    expect(wrong.reason).toMatch(/^wrong schema: the file's columns \(id, when, what\) are not the declared ones/);
    const broken = JSON.parse(await readText(harness.deps.s3, BUCKET, `${QUARANTINE}broken.csv.gz.reason.json`)) as { reason: string };
    expect(broken.reason).toMatch(/^unreadable as csv \(gzip\)/);

    expect((await bookmarks()).map((row) => [row.object_key, row.row_count])).toEqual([[`${LANDING}a.csv`, '6'], [`${LANDING}b.csv.gz`, '3'], [`${LANDING}c.csv.zst`, '2']]);
  });

  it('reads nothing twice across re-runs, and picks up a file added between runs', async () => {
    const before = await bookmarks();
    const again = await harness.run(pipeline());
    expect(again.tables[0]).toMatchObject({ extractedRows: 0, loadedRows: 0, files: { read: 0, quarantined: 0 } });
    expect(await bookmarks()).toEqual(before);
    expect(await warehouseRows()).toEqual(expected);

    const d = returnRows(11, 12);
    await putObject(harness.deps.s3, BUCKET, `${LANDING}d.csv`, returnsCsv(d));
    const added = await harness.run(pipeline());
    expect(added.tables[0]).toMatchObject({ extractedRows: 2, loadedRows: 2, files: { read: 1 } });
    expected = byId([...expected, ...d]);
    expect(await warehouseRows()).toEqual(expected);
  });

  it('handles a rewritten file (new ETag) as onRewrite says: fail, skip or reload', async () => {
    const rewritten = [...returnRows(6, 8, 100), ...returnRows(13, 13)];
    await putObject(harness.deps.s3, BUCKET, `${LANDING}b.csv.gz`, gzip(returnsCsv(rewritten)));

    const failed = await harness.run(pipeline('fail')).catch((error: unknown) => error);
    expect(describeError(failed)).toBe(
      `pipeline files-test, table returns, step plan: ${LANDING}b.csv.gz was loaded before and has been rewritten (new ETag); nothing was read. Set files.onRewrite to reload (merge it again by key) or skip, or run etl reset on the table to read every file again`,
    );
    expect(await warehouseRows()).toEqual(expected);

    const skipped = await harness.run(pipeline('skip'));
    expect(skipped.tables[0]).toMatchObject({ extractedRows: 0, files: { read: 0, skipped: 1 } });
    expect(await warehouseRows()).toEqual(expected);

    const reloaded = await harness.run(pipeline('reload'));
    expect(reloaded.tables[0]).toMatchObject({ extractedRows: 4, loadedRows: 4, files: { read: 1 } });
    expected = byId([...expected, ...rewritten]);
    expect(await warehouseRows()).toEqual(expected);
    const etag = (await bookmarks()).find((row) => row.object_key === `${LANDING}b.csv.gz`)?.etag;
    const again = await harness.run(pipeline('fail'));
    expect(again.tables[0]).toMatchObject({ extractedRows: 0 });
    expect((await bookmarks()).find((row) => row.object_key === `${LANDING}b.csv.gz`)?.etag).toBe(etag);
  });

  it('forgets its bookmarks on etl reset, so the next run reads every file again and merges it by key', async () => {
    await createPostgresTarget(harness.deps).reset({ pipeline: 'files-test', tables: [{ name: 'returns', targets: [TARGET] }], truncate: false, requestedBy: 'test', reason: 'files test', runId: 'files-test-reset' });
    expect(await bookmarks()).toEqual([]);
    const reread = await harness.run(pipeline());
    // a.csv 5 (+1 malformed), b.csv.gz 4, c.csv.zst 2, d.csv 2.
    expect(reread.tables[0]).toMatchObject({ extractedRows: 14, loadedRows: 13, rejectedRows: 1, files: { read: 4 } });
    expect(await warehouseRows()).toEqual(expected);
  });
});

describe('NDJSON and Parquet files', () => {
  const ROOT_FORMATS = `${ROOT}formats/`;
  const columns = { return_id: 'BIGINT', sale_id: 'BIGINT', amount: 'DECIMAL(12,2)', returned_at: 'TIMESTAMP', reason: 'VARCHAR' };
  const table = (name: string, format: string, glob: string) => ({ name, kind: 'files', files: { prefix: `${ROOT_FORMATS}${name}/`, glob, format }, columns, target: `test_files_wh.${name}`, primaryKey: ['return_id'] });

  it('reads NDJSON (gzip too) and Parquet with the declared types; a file that does not read or lacks a column is quarantined', async () => {
    const json = returnRows(1, 3);
    const jsonGz = returnRows(4, 5);
    const lines = (rows: ReturnRow[]) => `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
    await putObject(harness.deps.s3, BUCKET, `${ROOT_FORMATS}events_json/a.ndjson`, lines(json));
    await putObject(harness.deps.s3, BUCKET, `${ROOT_FORMATS}events_json/b.ndjson.gz`, gzip(lines(jsonGz)));
    await putObject(harness.deps.s3, BUCKET, `${ROOT_FORMATS}events_json/c.ndjson`, '{"return_id": 1, "amount": \n');

    const parquetRows = returnRows(20, 24);
    const dir = await mkdtemp(join(tmpdir(), 'files-test-'));
    const duckdb = await openDuckdb();
    try {
      const values = parquetRows.map((row) => `(${row.return_id}, ${row.sale_id}, ${row.amount}, TIMESTAMP '${row.returned_at}', '${row.reason.replace(/'/g, "''")}')`).join(', ');
      await duckdb.run(`COPY (SELECT * FROM (VALUES ${values}) v(return_id, sale_id, amount, returned_at, reason)) TO '${join(dir, 'good.parquet')}' (FORMAT parquet)`);
      await duckdb.run(`COPY (SELECT 1 AS return_id, 2 AS other) TO '${join(dir, 'bad.parquet')}' (FORMAT parquet)`);
    } finally {
      duckdb.closeAll();
    }
    await putObject(harness.deps.s3, BUCKET, `${ROOT_FORMATS}events_parquet/good.parquet`, await readFile(join(dir, 'good.parquet')));
    await putObject(harness.deps.s3, BUCKET, `${ROOT_FORMATS}events_parquet/bad.parquet`, await readFile(join(dir, 'bad.parquet')));
    await rm(dir, { recursive: true, force: true });

    const formats = parsePipeline({
      file: 'formats.yaml',
      text: JSON.stringify({ name: 'files-test-formats', lake: { bucket: BUCKET, prefix: ROOT_FORMATS }, tables: [table('events_json', 'ndjson', '*.ndjson*'), table('events_parquet', 'parquet', '*.parquet')] }),
    });
    const manifest = await harness.run(formats);
    expect(manifest.tables.find((t) => t.table === 'events_json')).toMatchObject({ extractedRows: 5, loadedRows: 5, files: { read: 2, quarantined: 1 } });
    expect(manifest.tables.find((t) => t.table === 'events_parquet')).toMatchObject({ extractedRows: 5, loadedRows: 5, files: { read: 1, quarantined: 1 } });
    expect(await warehouseRows('test_files_wh.events_json')).toEqual(byId([...json, ...jsonGz]));
    expect(await warehouseRows('test_files_wh.events_parquet')).toEqual(parquetRows);
    expect(await listKeys(harness.deps.s3, BUCKET, `${ROOT_FORMATS}quarantine/`)).toEqual([
      `${ROOT_FORMATS}quarantine/events_json/c.ndjson`,
      `${ROOT_FORMATS}quarantine/events_json/c.ndjson.reason.json`,
      `${ROOT_FORMATS}quarantine/events_parquet/bad.parquet`,
      `${ROOT_FORMATS}quarantine/events_parquet/bad.parquet.reason.json`,
    ]);
  });
});
