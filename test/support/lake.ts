import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { downloadFile } from '../../src/runtime/lake';
import { openDuckdb } from './duckdb';
import type { Harness } from './harness';

/** Downloads one Parquet object of the lake and runs a query over it (`$file` stands for the file). */
export async function queryLakeParquet(harness: Harness, uri: string, query: string): Promise<unknown[][]> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match?.[1] || !match[2]) throw new Error(`not an s3 URI: ${uri}`);
  const dir = await mkdtemp(join(tmpdir(), 'etl-lake-'));
  try {
    const path = join(dir, 'object.parquet');
    await downloadFile({ s3: harness.deps.s3, bucket: match[1], key: match[2], path });
    // The worker's DuckDB sessions are sealed per activity; a test reads files with a database of its own.
    const connection = await openDuckdb();
    try {
      return (await connection.runAndReadAll(query.replace('$file', `read_parquet('${path}')`))).getRows();
    } finally {
      connection.closeAll();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads a rejected/ Parquet file from the lake and counts its rows per reject_reason. */
export async function readRejected(harness: Harness, uri: string): Promise<{ rows: number; byReason: Record<string, number> }> {
  const rows = await queryLakeParquet(harness, uri, 'SELECT reject_reason, count(*) FROM $file GROUP BY 1');
  const byReason = Object.fromEntries(rows.map(([reason, count]) => [String(reason), Number(count)]));
  return { rows: Object.values(byReason).reduce((sum, count) => sum + count, 0), byReason };
}
