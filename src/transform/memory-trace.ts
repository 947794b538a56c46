import { appendFileSync } from 'node:fs';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

interface TracedSession {
  label: string;
  memoryLimit: string;
  probe: DuckDBConnection;
}

const MIB = 2 ** 20;
const sessions = new Set<TracedSession>();
let timer: NodeJS.Timeout | undefined;

/** One sample: the process's memory and, per open session, what DuckDB's buffer manager holds and has spilled (MiB). */
async function sample(file: string, started: number): Promise<void> {
  const open = [];
  for (const session of sessions) {
    const row = (await session.probe.runAndReadAll('SELECT sum(memory_usage_bytes)::BIGINT, sum(temporary_storage_bytes)::BIGINT FROM duckdb_memory()').catch(() => undefined))?.getRows()[0];
    open.push({ session: session.label, limit: session.memoryLimit, duckdbMiB: Math.round(Number(row?.[0] ?? -MIB) / MIB), spilledMiB: Math.round(Number(row?.[1] ?? 0) / MIB) });
  }
  const memory = process.memoryUsage();
  const line = { seconds: (Date.now() - started) / 1000, rssMiB: Math.round(memory.rss / MIB), heapUsedMiB: Math.round(memory.heapUsed / MIB), externalMiB: Math.round(memory.external / MIB), sessions: open };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/**
 * With `ETL_MEMORY_TRACE=<file>`, appends a JSON line every 250 ms from the first session on: the worker's RSS
 * and Node heap, and each open DuckDB session's label, limit and buffer-manager memory (read on a second
 * connection of its database). How the peaks of `npm run bench` were traced to the sessions open at the time.
 * Returns what ends the session's tracing; without the variable, nothing is opened.
 */
export async function traceSession(input: { label: string; memoryLimit: string; instance: DuckDBInstance }): Promise<() => void> {
  const file = process.env.ETL_MEMORY_TRACE;
  if (!file) return () => undefined;
  const session = { label: input.label, memoryLimit: input.memoryLimit, probe: await input.instance.connect() };
  sessions.add(session);
  if (!timer) {
    const started = Date.now();
    timer = setInterval(() => void sample(file, started), 250);
    timer.unref();
  }
  return () => {
    sessions.delete(session);
    session.probe.closeSync();
  };
}
