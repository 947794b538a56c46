import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Pipeline } from '../config/pipeline-schema';
import type { Settings } from '../config/settings';
import { nightlyEtlWorkflow, type RunManifest } from '../workflows';

export interface BenchStage {
  name: string;
  seconds: number;
  rows: number;
  bytes: number;
}

/** A bench dataset's pipeline pointed at its own warehouse schema and state, so a bench never touches analytics.*. */
export function benchPipeline(demo: Pipeline): Pipeline {
  const retarget = (name: string) => name.replace(/^[^.]+\./, 'bench.');
  return {
    ...demo,
    name: 'bench',
    // The bench measures the ETL from the source; npm run bench:replication measures the replica.
    replication: undefined,
    // The bench measures the Postgres path; the demo's files table (a few landing CSVs) is left out.
    tables: demo.tables.filter((table) => (table.kind ?? 'postgres') === 'postgres').map((table) => ({ ...table, target: retarget(table.target), rollups: table.rollups.map((rollup) => ({ ...rollup, target: retarget(rollup.target) })) })),
  };
}

/** A worker in its own process (as in production), so its memory is measured alone. */
export function startWorkerProcess(input: { taskQueue: string }): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts'], {
    // glibc gives each DuckDB thread its own malloc arena and rarely returns memory; two arenas keep RSS honest.
    env: { MALLOC_ARENA_MAX: '2', ...process.env, TEMPORAL_TASK_QUEUE: input.taskQueue, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Peak resident set size of a live process, from the kernel's high-water mark (VmHWM). */
export function peakRssBytes(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match?.[1] ? Number(match[1]) * 1024 : 0;
}

export async function runPipelineOnWorker(input: { client: Client; settings: Settings; pipeline: Pipeline }): Promise<{ manifest: RunManifest; seconds: number; workflowId: string }> {
  const started = Date.now();
  const workflowId = `bench-${randomUUID()}`;
  const manifest = await input.client.workflow.execute(nightlyEtlWorkflow, {
    taskQueue: input.settings.temporal.taskQueue,
    workflowId,
    args: [{ pipeline: input.pipeline }],
  });
  return { manifest, seconds: (Date.now() - started) / 1000, workflowId };
}

/** Busy seconds, rows and bytes per stage, summed over tables. */
export function stagesOf(manifest: RunManifest): BenchStage[] {
  const sum = (pick: (table: RunManifest['tables'][number]) => number) => manifest.tables.reduce((total, table) => total + pick(table), 0);
  return [
    { name: 'extract', seconds: sum((t) => t.seconds.extract), rows: sum((t) => t.extractedRows), bytes: sum((t) => t.bytes.raw) },
    { name: 'transform', seconds: sum((t) => t.seconds.transform), rows: sum((t) => t.extractedRows), bytes: sum((t) => t.bytes.processed) },
    { name: 'load', seconds: sum((t) => t.seconds.load), rows: sum((t) => t.loadedRows), bytes: sum((t) => t.bytes.processed) },
    // Already inside transform and load: the content checksums over the processed Parquet and the warehouse rows.
    { name: 'verify in transform', seconds: sum((t) => t.seconds.verify?.transform ?? 0), rows: sum((t) => t.loadedRows), bytes: sum((t) => t.bytes.processed) },
    { name: 'verify in load', seconds: sum((t) => t.seconds.verify?.load ?? 0), rows: sum((t) => t.loadedRows), bytes: sum((t) => t.bytes.processed) },
  ];
}

/** WAL the local Postgres server wrote: bytes, and full-page images (a page's first change after a checkpoint logs all 8 kB of it). */
export interface WalWritten {
  bytes: number;
  fullPageImages: number;
}

/** The server's WAL counters so far (pg_stat_wal, all databases of the server). */
async function readWalCounters(pool: Pool): Promise<WalWritten> {
  const row = (await pool.query<{ bytes: string; fpi: string }>('SELECT wal_bytes::text AS bytes, wal_fpi::text AS fpi FROM pg_stat_wal')).rows[0];
  return { bytes: Number(row?.bytes ?? 0), fullPageImages: Number(row?.fpi ?? 0) };
}

/**
 * Runs `work` and returns its result with the WAL the server wrote meanwhile. On this machine a night's merge is
 * bound by that write more than by CPU: deleting rows scattered over a big table logs a full page for each page
 * it touches first after the bench's CHECKPOINT, for the pipeline and the floor alike.
 */
export async function measureWal<T>(input: { pool: Pool; work: () => Promise<T> }): Promise<{ result: T; wal: WalWritten }> {
  const before = await readWalCounters(input.pool);
  const result = await input.work();
  const after = await readWalCounters(input.pool);
  return { result, wal: { bytes: after.bytes - before.bytes, fullPageImages: after.fullPageImages - before.fullPageImages } };
}
