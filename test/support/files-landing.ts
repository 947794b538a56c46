import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** One product return as a test writes it into a CSV file (and expects it back from the warehouse). */
export interface ReturnRow {
  return_id: number;
  sale_id: number;
  amount: string;
  returned_at: string;
  reason: string;
}

/** CSV text with a header line; `extra` lines (malformed on purpose) go after row `at`. */
export function returnsCsv(rows: readonly ReturnRow[], bad?: { after: number; line: string }): string {
  const lines = ['return_id,sale_id,amount,returned_at,reason'];
  rows.forEach((row, index) => {
    lines.push(`${row.return_id},${row.sale_id},${row.amount},${row.returned_at},"${row.reason.replace(/"/g, '""')}"`);
    if (bad && index === bad.after) lines.push(bad.line);
  });
  return `${lines.join('\n')}\n`;
}

/** Rows return_id from..to, deterministic values. */
export function returnRows(from: number, to: number, amountOffset = 0): ReturnRow[] {
  const rows: ReturnRow[] = [];
  for (let id = from; id <= to; id += 1) {
    rows.push({ return_id: id, sale_id: 1000 + id, amount: (id * 1.25 + amountOffset).toFixed(2), returned_at: `2026-01-${String((id % 28) + 1).padStart(2, '0')} 10:${String(id % 60).padStart(2, '0')}:00`, reason: id % 3 === 0 ? 'damaged, "badly"' : `reason ${id}` });
  }
  return rows;
}

export const gzip = (text: string) => gzipSync(Buffer.from(text));

/** zstd through the zstd command (the test machine has it; Node 20 has no zstd). */
export function zstd(text: string): Buffer {
  const result = spawnSync('zstd', ['-q', '-c'], { input: Buffer.from(text) });
  if (result.status !== 0) throw new Error(`zstd failed: ${result.stderr.toString()}`);
  return result.stdout;
}

export async function putObject(s3: S3Client, bucket: string, key: string, body: string | Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key ?? '').sort();
}

export async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await response.Body?.transformToString()) ?? '';
}

export async function deleteUnder(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  const keys = await listKeys(s3, bucket, prefix);
  if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
}
