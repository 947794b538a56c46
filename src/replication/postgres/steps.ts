import type { Pool } from 'pg';
import {
  CREATE_SLOT, createReplicaTable, DROP_SLOT, dropSubscription, SELECT_PUBLICATION_TABLES, SELECT_SLOTS, SELECT_SUBSCRIPTION,
  SELECT_TABLE_DEFINITION, type ColumnDefinition,
} from './sql';
import { classifyPostgresError } from '../../runtime/errors';

/** Runs one statement; a failure is classified with the step named (never the SQL: a subscription's carries a password). */
export async function run<Row extends object = Record<string, unknown>>(pool: Pool, step: string, sql: string, values?: unknown[]): Promise<Row[]> {
  try {
    return (await pool.query<Row>(sql, values)).rows;
  } catch (error) {
    throw classifyPostgresError(error, { step });
  }
}

export interface Subscription {
  oid: string;
  enabled: boolean;
  errors: string;
}

export async function findSubscription(replica: Pool, name: string): Promise<Subscription | undefined> {
  return (await run<Subscription>(replica, `read subscription ${name}`, SELECT_SUBSCRIPTION, [name]))[0];
}

/** The tables the publication publishes now, or undefined when there is no such publication. */
export async function readPublication(source: Pool, name: string): Promise<string[] | undefined> {
  const [row] = await run<{ present: boolean; tables: string[] }>(source, `read publication ${name}`, SELECT_PUBLICATION_TABLES, [name]);
  return row?.present ? row.tables : undefined;
}

/** Creates each missing replica table from the source catalog; subscriptions copy rows, never DDL. */
export async function ensureReplicaTables(pools: { source: Pool; replica: Pool }, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const rows = await run<{ name: string; pg_type: string; not_null: boolean; key_position: number }>(pools.source, `read ${table}`, SELECT_TABLE_DEFINITION, [table]);
    const columns: ColumnDefinition[] = rows.map((row) => ({ name: row.name, pgType: row.pg_type, notNull: row.not_null, keyPosition: row.key_position }));
    for (const sql of createReplicaTable({ table, columns })) await run(pools.replica, `create replica table ${table}`, sql);
  }
}

export async function createSlot(source: Pool, slot: string): Promise<void> {
  await run(source, `create replication slot ${slot}`, CREATE_SLOT, [slot]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Drops the slot and any table-sync slots a dropped subscription left; a walsender still holding one (it exits
 * just after the subscription is disabled) is waited for briefly, then left to the activity's retry.
 */
export async function dropSlots(source: Pool, input: { slot: string; subscriptionOid?: string }): Promise<string[]> {
  const dropped: string[] = [];
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const slots = await run<{ name: string; active: boolean }>(source, 'read replication slots', SELECT_SLOTS, [input.slot, input.subscriptionOid ?? null]);
    for (const slot of slots.filter((candidate) => !candidate.active)) {
      await run(source, `drop replication slot ${slot.name}`, DROP_SLOT, [slot.name]);
      dropped.push(slot.name);
    }
    if (slots.every((slot) => !slot.active)) return dropped;
    await sleep(250);
  }
  throw new Error(`replication slot ${input.slot} is still in use by a walsender; retrying`);
}

/** Drops the subscription (detaching its slot first) and then the slots on the source. */
export async function removeSubscription(pools: { source: Pool; replica: Pool }, input: { subscription: string; slot: string }): Promise<boolean> {
  const existing = await findSubscription(pools.replica, input.subscription);
  if (existing) {
    for (const sql of dropSubscription({ name: input.subscription })) await run(pools.replica, `drop subscription ${input.subscription}`, sql);
  }
  await dropSlots(pools.source, { slot: input.slot, subscriptionOid: existing?.oid });
  return Boolean(existing);
}
