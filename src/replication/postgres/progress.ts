import type { Pool } from 'pg';
import { SELECT_SLOT_LAG, SELECT_SUBSCRIPTION_TABLES } from './sql';
import { findSubscription, readPublication, run } from './steps';
import type { PostgresReplicationInput, ReplicationProgress, ReplicationState, TableProgress } from '../types';

const SYNC_STATES: Record<string, string> = { i: 'initializing', d: 'copying', f: 'copied', s: 'synchronized', r: 'ready' };

interface SlotLag {
  active: boolean;
  lag_bytes: string;
  lag_seconds: number | null;
  wal_status: string | null;
  reached: boolean;
}

function stateOf(input: { enabled: boolean; copying: boolean }): ReplicationState {
  if (!input.enabled) return 'stopped';
  return input.copying ? 'full-load' : 'cdc';
}

/** Reads a subscription's progress from both sides: table sync states on the replica, slot lag on the source. */
export async function describeSubscription(pools: { source: Pool; replica: Pool }, input: PostgresReplicationInput & { syncPoint?: string }): Promise<ReplicationProgress> {
  const { replicator } = input;
  const subscription = await findSubscription(pools.replica, replicator.subscription);
  if (!subscription) {
    return { state: 'stopped', fullLoadDone: false, inSync: false, tables: [], rows: 0, lag: {}, detail: `no subscription ${replicator.subscription} on the replica` };
  }
  const rows = await run<{ name: string; state: string; rows: string }>(pools.replica, 'read subscription tables', SELECT_SUBSCRIPTION_TABLES, [replicator.subscription]);
  const tables: TableProgress[] = rows.map((row) => ({ table: row.name, state: SYNC_STATES[row.state] ?? row.state, rows: Number(row.rows) }));
  const [slot] = await run<SlotLag>(pools.source, 'read slot lag', SELECT_SLOT_LAG, [replicator.slot, input.syncPoint ?? null]);
  const published = (await readPublication(pools.source, replicator.publication)) ?? [];
  const unpublished = replicator.tables.filter((table) => !published.includes(table));
  const fullLoadDone = tables.length === replicator.tables.length && tables.every((table) => table.state === 'ready');
  const lagBytes = slot ? Number(slot.lag_bytes) : undefined;
  const details = [
    unpublished.length > 0 ? `${unpublished.join(', ')} no longer published (dropped on the source?); start the replication again to rebuild` : undefined,
    Number(subscription.errors) > 0 ? `${subscription.errors} apply/sync errors on the replica (see the replica's server log)` : undefined,
    slot?.wal_status === 'lost' ? `slot ${replicator.slot} lost WAL it needed` : undefined,
  ].filter((detail): detail is string => detail !== undefined);
  return {
    state: stateOf({ enabled: subscription.enabled, copying: !fullLoadDone }),
    fullLoadDone,
    inSync: fullLoadDone && unpublished.length === 0 && Boolean(slot?.reached),
    tables,
    rows: tables.reduce((sum, table) => sum + table.rows, 0),
    // replay_lag is NULL once the walsender is idle: nothing to replay means no lag in seconds.
    lag: { bytes: lagBytes, seconds: slot ? (slot.lag_seconds ?? 0) : undefined },
    failure: slot?.wal_status === 'lost' ? `replication slot ${replicator.slot} lost WAL it needed; start the replication again to rebuild the replica` : undefined,
    detail: details.length > 0 ? details.join('; ') : undefined,
  };
}
