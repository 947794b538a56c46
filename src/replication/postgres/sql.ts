import { quoteIdent, quoteLiteral, quoteQualified } from '../../sql/quote';

/** The source's wal_level; logical replication needs `logical`. */
export const SELECT_WAL_LEVEL = "SELECT current_setting('wal_level') AS wal_level";

/**
 * Per table ($1: schema-qualified names): does it exist, has it a primary key, and its replica identity
 * (d = default, i.e. the primary key; f = full row; i = an index; n = nothing).
 */
export const SELECT_REPLICATED_TABLES = `
SELECT t.name, c.oid IS NOT NULL AS present, coalesce(c.relreplident::text, 'n') AS identity,
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_primary_key
FROM unnest($1::text[]) AS t(name) LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)`;

/**
 * Columns (type, NOT NULL) and 1-based primary key position of one table ($1), enough to create it on the replica.
 * indkey is an int2vector, whose array form starts at subscript 0, hence WITH ORDINALITY rather than array_position.
 */
export const SELECT_TABLE_DEFINITION = `
SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS pg_type, a.attnotnull AS not_null,
       coalesce((SELECT k.ord FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) WHERE k.attnum = a.attnum), 0)::int AS key_position
FROM pg_attribute a
LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

export interface ColumnDefinition {
  name: string;
  pgType: string;
  notNull: boolean;
  keyPosition: number;
}

/** Other subscriptions on the replica that already write any of the tables ($2), besides this one ($1). */
export const SELECT_OTHER_SUBSCRIBERS = `
SELECT s.subname AS subscription, n.nspname || '.' || c.relname AS name
FROM pg_subscription s JOIN pg_subscription_rel r ON r.srsubid = s.oid
JOIN pg_class c ON c.oid = r.srrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE s.subname <> $1 AND n.nspname || '.' || c.relname = ANY($2::text[]) ORDER BY 2`;

/** The replica copy of a source table: same columns, types and primary key; no indexes, defaults or foreign keys. */
export function createReplicaTable(input: { table: string; columns: readonly ColumnDefinition[] }): string[] {
  const [schema] = input.table.split('.');
  const columns = input.columns.map((column) => `${quoteIdent(column.name)} ${column.pgType}${column.notNull ? ' NOT NULL' : ''}`);
  const keys = input.columns.filter((column) => column.keyPosition > 0).sort((a, b) => a.keyPosition - b.keyPosition);
  const key = keys.length > 0 ? [`PRIMARY KEY (${keys.map((column) => quoteIdent(column.name)).join(', ')})`] : [];
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema ?? 'public')}`,
    `CREATE TABLE IF NOT EXISTS ${quoteQualified(input.table)} (${[...columns, ...key].join(', ')})`,
  ];
}

export function truncateTables(input: { tables: readonly string[] }): string {
  return `TRUNCATE ${input.tables.map(quoteQualified).join(', ')}`;
}

/** Tables a publication ($1) publishes now; a table dropped on the source (a re-seed) leaves it. */
export const SELECT_PUBLICATION_TABLES = `
SELECT p.pubname IS NOT NULL AS present, coalesce(array_agg(t.schemaname || '.' || t.tablename) FILTER (WHERE t.tablename IS NOT NULL), '{}') AS tables
FROM (SELECT $1::name AS name) n LEFT JOIN pg_publication p ON p.pubname = n.name
LEFT JOIN pg_publication_tables t ON t.pubname = p.pubname GROUP BY p.pubname`;

/** A full load publishes inserts only, so updates to a table without a key never fail on the source meanwhile. */
function publishOption(input: { cdc: boolean }): string {
  return `publish = ${quoteLiteral(input.cdc ? 'insert, update, delete, truncate' : 'insert')}`;
}

export function createPublication(input: { name: string; tables: readonly string[]; cdc: boolean }): string {
  return `CREATE PUBLICATION ${quoteIdent(input.name)} FOR TABLE ${input.tables.map(quoteQualified).join(', ')} WITH (${publishOption(input)})`;
}

export function alterPublication(input: { name: string; tables: readonly string[]; cdc: boolean }): string[] {
  const name = quoteIdent(input.name);
  return [`ALTER PUBLICATION ${name} SET TABLE ${input.tables.map(quoteQualified).join(', ')}`, `ALTER PUBLICATION ${name} SET (${publishOption(input)})`];
}

export function dropPublication(input: { name: string }): string {
  return `DROP PUBLICATION IF EXISTS ${quoteIdent(input.name)}`;
}

/** A slot of its own: CREATE SUBSCRIPTION cannot create one when publisher and subscriber share a cluster (it hangs). */
export const CREATE_SLOT = "SELECT pg_create_logical_replication_slot($1, 'pgoutput')";
export const DROP_SLOT = 'SELECT pg_drop_replication_slot($1)';

/** The subscription's slot and its table-sync slots (pg_<subscription oid>_sync_…), with whether a walsender holds them. */
export const SELECT_SLOTS = `
SELECT slot_name AS name, active FROM pg_replication_slots
WHERE slot_name = $1 OR ($2::text IS NOT NULL AND slot_name LIKE 'pg\\_' || $2 || '\\_sync\\_%')`;

/** The source's WAL flush position: everything committed before it is what "in sync" means. */
export const SELECT_FLUSH_LSN = 'SELECT pg_current_wal_flush_lsn()::text AS lsn';

/** Slot lag: bytes the subscriber has not confirmed, seconds behind (walsender replay_lag), and whether it passed $2. */
export const SELECT_SLOT_LAG = `
SELECT s.active, greatest(pg_wal_lsn_diff(pg_current_wal_flush_lsn(), s.confirmed_flush_lsn), 0)::bigint AS lag_bytes,
       extract(epoch FROM r.replay_lag)::float8 AS lag_seconds, s.wal_status,
       ($2::text IS NULL OR s.confirmed_flush_lsn >= $2::pg_lsn) AS reached
FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
WHERE s.slot_name = $1`;

export const SELECT_SUBSCRIPTION = `
SELECT s.oid::text AS oid, s.subenabled AS enabled, coalesce(st.apply_error_count + st.sync_error_count, 0)::bigint AS errors
FROM pg_subscription s LEFT JOIN pg_stat_subscription_stats st ON st.subid = s.oid WHERE s.subname = $1`;

/**
 * Per-table sync state of a subscription (i init, d copying, f copied, s synchronized, r ready) and its rows:
 * rows copied so far while COPY runs, else the live-row estimate (no count(*) on every poll of a big table).
 */
export const SELECT_SUBSCRIPTION_TABLES = `
SELECT n.nspname || '.' || c.relname AS name, r.srsubstate::text AS state,
       coalesce(p.tuples_processed, st.n_live_tup, 0)::bigint AS rows
FROM pg_subscription s JOIN pg_subscription_rel r ON r.srsubid = s.oid
JOIN pg_class c ON c.oid = r.srrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_progress_copy p ON p.relid = c.oid
LEFT JOIN pg_stat_user_tables st ON st.relid = c.oid
WHERE s.subname = $1 ORDER BY 1`;

/** Slot and publication are made beforehand; copy_data decides whether the existing rows are copied first. */
export function createSubscription(input: { name: string; conninfo: string; publication: string; slot: string; copyData: boolean }): string {
  return `CREATE SUBSCRIPTION ${quoteIdent(input.name)} CONNECTION ${quoteLiteral(input.conninfo)} PUBLICATION ${quoteIdent(input.publication)}
  WITH (create_slot = false, slot_name = ${quoteLiteral(input.slot)}, copy_data = ${input.copyData}, enabled = true)`;
}

export function enableSubscription(input: { name: string }): string {
  return `ALTER SUBSCRIPTION ${quoteIdent(input.name)} ENABLE`;
}

/** The documented order for a slot the subscription did not create: detach it, then drop the slot on the source. */
export function dropSubscription(input: { name: string }): string[] {
  const name = quoteIdent(input.name);
  return [`ALTER SUBSCRIPTION ${name} DISABLE`, `ALTER SUBSCRIPTION ${name} SET (slot_name = NONE)`, `DROP SUBSCRIPTION ${name}`];
}
