import type { Pool } from 'pg';
import type { PostgresReplicatorSpec } from '../../src/config/replication';

/** Rows of a table as one md5 over its ordered text form, with the count: equal on both sides means equal tables. */
export async function tableFingerprint(pool: Pool, table: string, key: string): Promise<{ rows: number; md5: string }> {
  const result = await pool.query<{ rows: string; md5: string }>(`SELECT count(*) AS rows, coalesce(md5(string_agg(t::text, '|' ORDER BY t.${key})), '') AS md5 FROM ${table} t`);
  const row = result.rows[0];
  return { rows: Number(row?.rows ?? 0), md5: row?.md5 ?? '' };
}

/** Polls until `check` passes, for at most `seconds`; returns its last value. */
export async function eventually<T>(check: () => Promise<T>, accept: (value: T) => boolean, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let value = await check();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await check();
  }
  return value;
}

/** What replication leaves behind on each side, by name. */
export async function replicationObjects(pools: { source: Pool; replica: Pool }, spec: PostgresReplicatorSpec): Promise<{ slots: string[]; publications: string[]; subscriptions: string[] }> {
  const slots = await pools.source.query<{ name: string }>('SELECT slot_name AS name FROM pg_replication_slots WHERE slot_name = $1', [spec.slot]);
  const publications = await pools.source.query<{ name: string }>('SELECT pubname AS name FROM pg_publication WHERE pubname = $1', [spec.publication]);
  const subscriptions = await pools.replica.query<{ name: string }>('SELECT subname AS name FROM pg_subscription WHERE subname = $1', [spec.subscription]);
  return { slots: slots.rows.map((r) => r.name), publications: publications.rows.map((r) => r.name), subscriptions: subscriptions.rows.map((r) => r.name) };
}
