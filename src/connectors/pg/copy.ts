import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/** Counts bytes as they pass and reports them, so long COPYs heartbeat with real progress. */
function meter(onBytes: (total: number) => void): Transform {
  let total = 0;
  let last = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total - last >= 16 * 1024 * 1024) {
        last = total;
        onBytes(total);
      }
      done(null, chunk);
    },
  });
}

/** Streams `COPY … TO STDOUT` into a file; memory stays flat whatever the table size. */
export async function copyToFile(input: { client: PoolClient; sql: string; path: string; onBytes?: (bytes: number) => void }): Promise<number> {
  await pipeline(input.client.query(copyTo(input.sql)), meter(input.onBytes ?? (() => undefined)), createWriteStream(input.path));
  return (await stat(input.path)).size;
}

/** Streams a file into `COPY … FROM STDIN`. */
export async function copyFromFile(input: { client: PoolClient; sql: string; path: string; onBytes?: (bytes: number) => void }): Promise<void> {
  await pipeline(createReadStream(input.path), meter(input.onBytes ?? (() => undefined)), input.client.query(copyFrom(input.sql)));
}
