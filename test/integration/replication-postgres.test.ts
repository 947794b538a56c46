import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { WorkflowFailedError } from '@temporalio/client';
import { createPostgresReplicationActivities } from '../../src/replication/postgres/activities';
import { describeError } from '../../src/client/errors';
import { LOCAL_STACK } from '../../src/config/local-stack';
import type { ReplicationSpec, PostgresReplicatorSpec } from '../../src/config/replication';
import { startPostgresCluster, stopPostgres } from '../../src/dev/postgres-server';
import { progressQuery, replicationWorkflow, stopSignal, type ReplicationWorkflowInput } from '../../src/workflows';
import { createHarness, type Harness } from '../support/harness';
import { eventually, replicationObjects, tableFingerprint } from '../support/replication';
import { freePort } from '../support/free-port';

let harness: Harness;
const created: PostgresReplicatorSpec[] = [];
const ITEMS = 'repl_test.items';

function specFor(input: { mode: ReplicationSpec['mode']; tables?: string[] }): ReplicationSpec & { replicator: PostgresReplicatorSpec } {
  const id = randomUUID().slice(0, 8);
  const replicator: PostgresReplicatorSpec = { type: 'postgres', publication: `t_${id}_pub`, subscription: `t_${id}_sub`, slot: `t_${id}_slot`, tables: input.tables ?? [ITEMS] };
  created.push(replicator);
  return {
    replicator,
    mode: input.mode,
    lagThreshold: { bytes: 64 * 1024 * 1024, seconds: 60 },
    pollSeconds: 0.2,
  };
}

function start(input: ReplicationWorkflowInput) {
  return harness.client.workflow.start(replicationWorkflow, { taskQueue: harness.settings.temporal.taskQueue, workflowId: `test-repl-${randomUUID()}`, args: [input] });
}

const sourceItems = () => tableFingerprint(harness.source, ITEMS, 'id');
const replicaItems = () => tableFingerprint(harness.replica, ITEMS, 'id');
const inSyncWithSource = async () => {
  const [source, replica] = await Promise.all([sourceItems(), replicaItems()]);
  return { source, replica };
};
const equal = ({ source, replica }: { source: unknown; replica: unknown }) => JSON.stringify(source) === JSON.stringify(replica);

beforeAll(async () => {
  harness = await createHarness();
  for (const pool of [harness.source, harness.replica]) await pool.query('DROP SCHEMA IF EXISTS repl_test CASCADE');
  await harness.source.query('CREATE SCHEMA repl_test');
  await harness.source.query('CREATE TABLE repl_test.items (id bigint PRIMARY KEY, name text, qty integer NOT NULL, price numeric(10,2), updated_at timestamptz NOT NULL)');
  await harness.source.query("INSERT INTO repl_test.items SELECT i, 'item ' || i, i % 7, i * 1.25, now() FROM generate_series(1, 5000) i");
  await harness.source.query('CREATE TABLE repl_test.no_key (id bigint, note text)');
});
afterAll(async () => {
  // A failed test must not leave a slot holding the source's WAL.
  const activities = createPostgresReplicationActivities(harness.deps);
  for (const replicator of created) await activities.stopPostgresReplication({ replicator, mode: 'cdc' });
  await harness.close();
});

describe('Postgres logical replication as a workflow', () => {
  it('full load equals the source, then inserts, updates and deletes stream through a worker restart, and stop removes the slot', async () => {
    const spec = specFor({ mode: 'full-load-and-cdc' });
    let worker = await harness.startWorker();
    const handle = await start({ ...spec, pollsPerRun: 5 });
    try {
      const loaded = await eventually(() => handle.query(progressQuery), (progress) => progress.inSync);
      expect(loaded).toMatchObject({ replicator: 'postgres logical', state: 'cdc', inSync: true, tables: [{ table: ITEMS, state: 'ready' }] });
      expect(equal(await inSyncWithSource())).toBe(true);
      expect((await replicaItems()).rows).toBe(5000);

      await harness.source.query("INSERT INTO repl_test.items SELECT i, 'new ' || i, 1, 2.50, now() FROM generate_series(5001, 5100) i");
      await harness.source.query("UPDATE repl_test.items SET qty = qty + 100, name = 'updated' WHERE id % 10 = 0");
      await harness.source.query('DELETE FROM repl_test.items WHERE id BETWEEN 1 AND 50');
      const streamed = await eventually(inSyncWithSource, equal);
      expect(streamed.replica).toEqual(streamed.source);
      expect(streamed.replica.rows).toBe(5050);

      // A deploy mid-wait: the worker goes away, changes keep coming, a new worker picks the workflow up.
      await worker.stop();
      await harness.source.query("UPDATE repl_test.items SET name = 'while no worker ran' WHERE id = 4242");
      worker = await harness.startWorker();
      expect((await eventually(inSyncWithSource, equal)).replica.rows).toBe(5050);
      const later = await eventually(() => handle.query(progressQuery), (progress) => progress.polls > 12);
      expect(later.state).toBe('cdc');
      expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId); // continued as new at 5 polls a run

      await handle.signal(stopSignal);
      const result = await handle.result();
      expect(result).toMatchObject({ outcome: 'stopped', state: 'stopped' });
      expect(await replicationObjects(harness, spec.replicator)).toEqual({ slots: [], publications: [], subscriptions: [] });
    } finally {
      await worker.stop();
    }
  });

  it('a full load copies the tables, returns when loaded and leaves no slot behind', async () => {
    const spec = specFor({ mode: 'full-load' });
    await harness.replica.query('TRUNCATE repl_test.items');
    const worker = await harness.startWorker();
    try {
      const result = await (await start(spec)).result();
      expect(result).toMatchObject({ outcome: 'loaded', state: 'stopped', inSync: true });
      expect(equal(await inSyncWithSource())).toBe(true);
      expect(await replicationObjects(harness, spec.replicator)).toEqual({ slots: [], publications: [], subscriptions: [] });
    } finally {
      await worker.stop();
    }
  });

  it('refuses CDC of a table without a primary key, and of a missing table, before creating anything', async () => {
    const spec = specFor({ mode: 'cdc', tables: [ITEMS, 'repl_test.no_key', 'repl_test.missing'] });
    const worker = await harness.startWorker();
    try {
      const error = await (await start(spec)).result().then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const message = describeError(error);
      expect(message).toContain('table repl_test.no_key has no primary key; CDC needs one to apply updates and deletes');
      expect(message).toContain('table repl_test.missing does not exist in the source database');
      expect(await replicationObjects(harness, spec.replicator)).toEqual({ slots: [], publications: [], subscriptions: [] });
      const created = await harness.replica.query("SELECT to_regclass('repl_test.no_key') AS present");
      expect(created.rows[0]).toEqual({ present: null });
    } finally {
      await worker.stop();
    }
  });
  it('refuses a source whose wal_level is not logical, saying how to fix it, before creating anything', async () => {
    // A second, throwaway cluster started with wal_level = replica plays the misconfigured source.
    const dir = await mkdtemp(join(tmpdir(), 'etl-wal-replica-'));
    const server = { dataDir: join(dir, 'data'), logFile: join(dir, 'postgres.log') };
    const port = await freePort();
    await startPostgresCluster({ server, port, walLevel: 'replica' });
    const { postgresUser, postgresPassword, host } = LOCAL_STACK;
    const source = new Pool({ connectionString: `postgres://${postgresUser}:${postgresPassword}@${host}:${port}/postgres`, max: 1 });
    try {
      const activities = createPostgresReplicationActivities({ pools: { ...harness.deps.pools, source }, replicationSourceUrl: '' });
      const spec = specFor({ mode: 'cdc' });
      const error = await activities.checkPostgresReplication({ replicator: spec.replicator, mode: 'cdc' }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ type: 'WalLevelNotLogical', nonRetryable: true });
      expect((error as Error).message).toContain('the source has wal_level = replica; logical replication needs wal_level = logical');
      expect((await source.query('SELECT count(*)::int AS n FROM pg_publication')).rows[0]).toEqual({ n: 0 });
      expect((await source.query('SELECT count(*)::int AS n FROM pg_replication_slots')).rows[0]).toEqual({ n: 0 });
    } finally {
      await source.end();
      stopPostgres(server);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
