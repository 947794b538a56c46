import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import {
  alterPublication, createPublication, createSubscription, dropPublication, enableSubscription, SELECT_FLUSH_LSN, SELECT_OTHER_SUBSCRIBERS,
  SELECT_REPLICATED_TABLES, SELECT_WAL_LEVEL, truncateTables,
} from './sql';
import type { DatabaseRole } from '../../activities/postgres';
import { findReplicationProblems, type ReplicatedTableFacts } from './check';
import { describeSubscription } from './progress';
import { createSlot, ensureReplicaTables, findSubscription, readPublication, removeSubscription, run } from './steps';
import type { PostgresReplicationInput, ReplicationCheck, ReplicationProgress, ReplicationStart } from '../types';

export interface PostgresReplicationDeps {
  pools: Record<DatabaseRole, Pool>;
  /** How the replica's subscription reaches the source (a libpq URL); it stays in the worker, never in a payload. */
  replicationSourceUrl: string;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item) => b.includes(item));

async function readFlushLsn(source: Pool): Promise<string | undefined> {
  return (await run<{ lsn: string }>(source, 'read WAL position', SELECT_FLUSH_LSN))[0]?.lsn;
}

export function createPostgresReplicationActivities(deps: PostgresReplicationDeps) {
  const { source, replica } = deps.pools;
  return {
    /** Checks wal_level and every table (exists; a primary key for CDC; no other subscription writes it) before anything is created. */
    async checkPostgresReplication(input: PostgresReplicationInput): Promise<ReplicationCheck> {
      const [setting] = await run<{ wal_level: string }>(source, 'read wal_level', SELECT_WAL_LEVEL);
      const tables = await run<ReplicatedTableFacts>(source, 'read replicated tables', SELECT_REPLICATED_TABLES, [input.replicator.tables]);
      const others = await run<{ subscription: string; name: string }>(replica, 'read other subscriptions', SELECT_OTHER_SUBSCRIBERS, [input.replicator.subscription, input.replicator.tables]);
      const problems = findReplicationProblems({ walLevel: setting?.wal_level ?? 'unknown', tables, mode: input.mode, others });
      const [first] = problems;
      if (first) {
        const message = `replication: ${problems.map((problem) => problem.message).join('; ')}`;
        throw ApplicationFailure.create({ message, type: first.type, nonRetryable: true });
      }
      return { replicator: 'postgres', tables: input.replicator.tables };
    },

    /**
     * Publication and slot on the source, tables and subscription on the replica, all idempotent: an existing
     * subscription over the same tables is resumed as it is. One whose source tables were dropped and created
     * again (a re-seed) is rebuilt from an empty replica, since the subscription would never copy them again.
     */
    async startPostgresReplication(input: PostgresReplicationInput): Promise<ReplicationStart> {
      const { replicator, mode } = input;
      const cdc = mode !== 'full-load';
      await ensureReplicaTables(deps.pools, replicator.tables);
      const published = await readPublication(source, replicator.publication);
      const existing = await findSubscription(replica, replicator.subscription);
      if (existing && published && sameSet(published, replicator.tables)) {
        if (!existing.enabled) await run(replica, 'enable subscription', enableSubscription({ name: replicator.subscription }));
        return { action: existing.enabled ? 'already running' : 'resumed', syncPoint: await readFlushLsn(source) };
      }
      await removeSubscription(deps.pools, replicator);
      const publication = { name: replicator.publication, tables: replicator.tables, cdc };
      for (const sql of published ? alterPublication(publication) : [createPublication(publication)]) await run(source, 'publish tables', sql);
      if (mode !== 'cdc') await run(replica, 'empty the replica tables before the full load', truncateTables(replicator));
      await createSlot(source, replicator.slot);
      const subscription = { name: replicator.subscription, conninfo: deps.replicationSourceUrl, publication: replicator.publication, slot: replicator.slot, copyData: mode !== 'cdc' };
      await run(replica, `create subscription ${replicator.subscription}`, createSubscription(subscription));
      return { action: existing ? 'rebuilt (source tables were re-created)' : 'created', syncPoint: await readFlushLsn(source) };
    },

    /** Per-table sync state, rows, and lag (bytes unconfirmed by the subscriber, seconds behind). */
    async describePostgresReplication(input: PostgresReplicationInput & { syncPoint?: string }): Promise<ReplicationProgress> {
      return describeSubscription(deps.pools, input);
    },

    /** Drops the subscription and its slot (so the source stops keeping WAL for it) and the publication; replica rows stay. */
    async stopPostgresReplication(input: PostgresReplicationInput): Promise<{ action: string }> {
      const removed = await removeSubscription(deps.pools, input.replicator);
      await run(source, 'drop publication', dropPublication({ name: input.replicator.publication }));
      return { action: removed ? 'stopped' : 'already stopped' };
    },
  };
}
