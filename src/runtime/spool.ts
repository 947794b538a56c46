import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** A private scratch directory for one activity call, removed afterwards whatever happens. */
export async function withSpool<T>(input: { spoolDir: string; name: string }, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(input.spoolDir, `${input.name.replace(/[^\w.-]/g, '_')}-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
