import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import { downloadFile } from '../../src/runtime/lake';
import type { Harness } from './harness';

/** Reads a rejected/ Parquet file from the lake and counts its rows per reject_reason. */
export async function readRejected(harness: Harness, uri: string): Promise<{ rows: number; byReason: Record<string, number> }> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match?.[1] || !match[2]) throw new Error(`not an s3 URI: ${uri}`);
  const dir = await mkdtemp(join(tmpdir(), 'etl-rejected-'));
  try {
    const path = join(dir, 'rejected.parquet');
    await downloadFile({ s3: harness.deps.s3, bucket: match[1], key: match[2], path });
    const duckdb = await DuckDBInstance.create(':memory:');
    const connection = await duckdb.connect();
    try {
      const result = await connection.runAndReadAll(`SELECT reject_reason, count(*) FROM read_parquet('${path}') GROUP BY 1`);
      const byReason = Object.fromEntries(result.getRows().map(([reason, count]) => [String(reason), Number(count)]));
      return { rows: Object.values(byReason).reduce((sum, count) => sum + count, 0), byReason };
    } finally {
      connection.closeSync();
      duckdb.closeSync();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
