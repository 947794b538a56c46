import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import type { ActivityDeps } from '../activities';
import { createPostgresReplicationActivities } from '../replication/postgres/activities';
import type { PostgresReplicatorSpec, ReplicationSpec } from '../config/replication';
import { replicationWorkflow } from '../workflows';

export interface LagSample {
  bytes: number;
  seconds: number;
}

export interface ReplicationBenchResult {
  fullLoad: { rows: number; seconds: number; rowsPerSecond: number };
  cdc: { seconds: number; updates: number; updatesPerSecond: number; lag: { p50Bytes: number; maxBytes: number; p50Seconds: number; maxSeconds: number }; catchUpSeconds: number };
}

const percentile = (values: number[], share: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * share))] ?? 0;

/** Full load from scratch: the previous subscription and slot are dropped, the replica emptied, every row copied. */
export async function measureFullLoad(input: { client: Client; worker: Worker; taskQueue: string; spec: ReplicationSpec; deps: ActivityDeps }): Promise<{ seconds: number; rows: number }> {
  const replicator = input.spec.replicator as PostgresReplicatorSpec;
  await createPostgresReplicationActivities(input.deps).stopPostgresReplication({ replicator, mode: input.spec.mode });
  const started = performance.now();
  const status = await input.worker.runUntil(
    input.client.workflow.execute(replicationWorkflow, { taskQueue: input.taskQueue, workflowId: `bench-replication-${randomUUID()}`, args: [{ ...input.spec, pollSeconds: 0.5, until: 'in-sync' }] }),
  );
  const seconds = (performance.now() - started) / 1000;
  const rows = await input.deps.pools.replica.query<{ rows: string }>(`SELECT (SELECT count(*) FROM raw.sales) + (SELECT count(*) FROM raw.customers) + (SELECT count(*) FROM raw.products) AS rows`);
  if (!status.inSync) throw new Error('replication did not reach sync');
  return { seconds, rows: Number(rows.rows[0]?.rows ?? 0) };
}

/** Updates `batch` random sales rows every `everyMs` for `seconds`, on one connection; returns rows updated. */
async function streamUpdates(input: { source: Pool; seconds: number; batch: number; everyMs: number }): Promise<number> {
  const bounds = await input.source.query<{ max_id: string }>('SELECT max(id) AS max_id FROM raw.sales');
  const maxId = Number(bounds.rows[0]?.max_id ?? 1);
  let updated = 0;
  const deadline = performance.now() + input.seconds * 1000;
  while (performance.now() < deadline) {
    const result = await input.source.query(
      'UPDATE raw.sales SET quantity = quantity + 1, updated_at = now() WHERE id IN (SELECT (1 + floor(random() * $1))::bigint FROM generate_series(1, $2))',
      [maxId, input.batch],
    );
    updated += result.rowCount ?? 0;
    await sleep(input.everyMs);
  }
  return updated;
}

/** A steady stream of updates while lag is sampled from the source's slot and walsender every 500 ms. */
export async function measureCdcLag(input: { deps: ActivityDeps; spec: ReplicationSpec; seconds: number; batch: number; everyMs: number }): Promise<ReplicationBenchResult['cdc']> {
  const replicator = input.spec.replicator as PostgresReplicatorSpec;
  const activities = createPostgresReplicationActivities(input.deps);
  const describe = (syncPoint?: string) => activities.describePostgresReplication({ replicator, mode: input.spec.mode, syncPoint });
  const samples: LagSample[] = [];
  let streaming = true;
  const started = performance.now();
  const stream = streamUpdates({ source: input.deps.pools.source, seconds: input.seconds, batch: input.batch, everyMs: input.everyMs }).finally(() => void (streaming = false));
  while (streaming) {
    const progress = await describe();
    samples.push({ bytes: progress.lag.bytes ?? 0, seconds: progress.lag.seconds ?? 0 });
    await sleep(500);
  }
  const updates = await stream;
  const seconds = (performance.now() - started) / 1000;
  const flush = await input.deps.pools.source.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn');
  const stopped = performance.now();
  while (!(await describe(flush.rows[0]?.lsn)).inSync) await sleep(100);
  const bytes = samples.map((sample) => sample.bytes);
  const lagSeconds = samples.map((sample) => sample.seconds);
  return {
    seconds,
    updates,
    updatesPerSecond: updates / seconds,
    lag: { p50Bytes: percentile(bytes, 0.5), maxBytes: Math.max(0, ...bytes), p50Seconds: percentile(lagSeconds, 0.5), maxSeconds: Math.max(0, ...lagSeconds) },
    catchUpSeconds: (performance.now() - stopped) / 1000,
  };
}
