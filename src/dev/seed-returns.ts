import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Where the demo's product returns land: the files table of pipelines/demo.yaml reads this prefix. */
export const DEMO_RETURNS_PREFIX = 'landing/returns/';
/** The demo's sale ids start here (SALE_ID_OFFSET in seed.ts): returns point at real sales. */
const FIRST_SALE_ID = 1_000_000_001;
const REASONS = ['damaged', 'wrong size', 'changed mind', ' late delivery ', 'defective'];

/** One return line: deterministic for its id; every 17th amount is negative (the pipeline's non_positive_amount rule). */
function returnLine(id: number, sales: number): string {
  const saleId = FIRST_SALE_ID + ((id * 7919) % Math.max(1, sales));
  const amount = ((id % 17 === 0 ? -1 : 1) * (5 + ((id * 37) % 9500) / 100)).toFixed(2);
  const day = String((id % 28) + 1).padStart(2, '0');
  return `${id},${saleId},${amount},2026-01-${day} ${String(id % 24).padStart(2, '0')}:15:00,${REASONS[id % REASONS.length] ?? ''}`;
}

const HEADER = 'return_id,sale_id,amount,returned_at,reason';
const lines = (from: number, to: number, sales: number) => Array.from({ length: to - from + 1 }, (_, index) => returnLine(from + index, sales));

/**
 * The demo's landing files, dirty on purpose: two good CSV files (one gzip), one with a row whose amount is
 * not a number (rejected with file and line), and one whose columns are not the declared ones (quarantined).
 */
export function demoReturnFiles(input: { sales: number }): { name: string; body: Buffer }[] {
  const text = (rows: string[]) => Buffer.from(`${[HEADER, ...rows].join('\n')}\n`);
  const withBadRow = lines(61, 90, input.sales);
  withBadRow.splice(10, 0, '9999,1000000001,n/a,2026-01-05 10:00:00,damaged');
  return [
    { name: 'returns-2026-01-01.csv', body: text(lines(1, 40, input.sales)) },
    { name: 'returns-2026-01-02.csv.gz', body: gzipSync(text(lines(41, 60, input.sales))) },
    { name: 'returns-2026-01-03.csv', body: text(withBadRow) },
    { name: 'returns-2026-01-04-export.csv', body: Buffer.from('id;value\n1;2\n') },
  ];
}

/** Drops the demo's return files under the lake bucket's landing prefix (same bytes, same ETags, on every seed). */
export async function dropDemoReturns(input: { s3: S3Client; bucket: string; sales: number }): Promise<string[]> {
  const keys: string[] = [];
  for (const file of demoReturnFiles(input)) {
    const key = `${DEMO_RETURNS_PREFIX}${file.name}`;
    await input.s3.send(new PutObjectCommand({ Bucket: input.bucket, Key: key, Body: file.body }));
    keys.push(key);
  }
  return keys;
}
