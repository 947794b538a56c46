import { findReplicationProblems } from '../../src/replication/postgres/check';
import {
  alterPublication, createPublication, createReplicaTable, createSubscription, dropSubscription, truncateTables,
} from '../../src/replication/postgres/sql';

describe('replication SQL', () => {
  it('creates the replica table with the source columns, NOT NULLs and primary key in key order', () => {
    const columns = [
      { name: 'line', pgType: 'integer', notNull: true, keyPosition: 2 },
      { name: 'order id', pgType: 'bigint', notNull: true, keyPosition: 1 },
      { name: 'amount', pgType: 'numeric(12,2)', notNull: false, keyPosition: 0 },
    ];
    expect(createReplicaTable({ table: 'raw.order_lines', columns })).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "raw"',
      'CREATE TABLE IF NOT EXISTS "raw"."order_lines" ("line" integer NOT NULL, "order id" bigint NOT NULL, "amount" numeric(12,2), PRIMARY KEY ("order id", "line"))',
    ]);
  });

  it('publishes every change for CDC, inserts only for a full load', () => {
    expect(createPublication({ name: 'etl_demo_pub', tables: ['raw.customers', 'raw.sales'], cdc: true })).toBe(
      `CREATE PUBLICATION "etl_demo_pub" FOR TABLE "raw"."customers", "raw"."sales" WITH (publish = 'insert, update, delete, truncate')`,
    );
    expect(alterPublication({ name: 'p', tables: ['raw.sales'], cdc: false })).toEqual(['ALTER PUBLICATION "p" SET TABLE "raw"."sales"', `ALTER PUBLICATION "p" SET (publish = 'insert')`]);
  });

  it('subscribes with a slot made beforehand (a same-cluster CREATE SUBSCRIPTION cannot create one) and quotes the connection', () => {
    const sql = createSubscription({ name: 'etl_demo_sub', conninfo: "postgres://etl:it's@db/source", publication: 'etl_demo_pub', slot: 'etl_demo_slot', copyData: false });
    expect(sql).toBe(`CREATE SUBSCRIPTION "etl_demo_sub" CONNECTION 'postgres://etl:it''s@db/source' PUBLICATION "etl_demo_pub"
  WITH (create_slot = false, slot_name = 'etl_demo_slot', copy_data = false, enabled = true)`);
  });

  it('detaches the slot before dropping the subscription, as the docs prescribe', () => {
    expect(dropSubscription({ name: 'etl_demo_sub' })).toEqual([
      'ALTER SUBSCRIPTION "etl_demo_sub" DISABLE',
      'ALTER SUBSCRIPTION "etl_demo_sub" SET (slot_name = NONE)',
      'DROP SUBSCRIPTION "etl_demo_sub"',
    ]);
    expect(truncateTables({ tables: ['raw.a', 'raw.b'] })).toBe('TRUNCATE "raw"."a", "raw"."b"');
  });
});

describe('replication checks', () => {
  const keyed = { name: 'raw.sales', present: true, identity: 'd', has_primary_key: true };

  it('refuses a source whose wal_level is not logical, saying how to fix it', () => {
    expect(findReplicationProblems({ walLevel: 'replica', tables: [keyed], mode: 'full-load-and-cdc' })).toEqual([
      {
        type: 'WalLevelNotLogical',
        message: 'the source has wal_level = replica; logical replication needs wal_level = logical (postgresql.conf, or rds.logical_replication = 1 in the RDS parameter group) and a restart',
      },
    ]);
  });

  it('needs a replica identity for CDC but not for a full load', () => {
    const keyless = { name: 'raw.events', present: true, identity: 'd', has_primary_key: false };
    expect(findReplicationProblems({ walLevel: 'logical', tables: [keyed, keyless], mode: 'cdc' }).map((problem) => problem.type)).toEqual(['TableWithoutPrimaryKey']);
    expect(findReplicationProblems({ walLevel: 'logical', tables: [keyless], mode: 'full-load' })).toEqual([]);
    expect(findReplicationProblems({ walLevel: 'logical', tables: [{ ...keyless, identity: 'f' }], mode: 'cdc' })).toEqual([]);
  });

  it('refuses replica tables another subscription already writes', () => {
    const problems = findReplicationProblems({ walLevel: 'logical', tables: [keyed], mode: 'cdc', others: [{ subscription: 'etl_demo_sub', name: 'raw.sales' }] });
    expect(problems.map((problem) => problem.message)).toEqual([
      'replica table raw.sales is already written by subscription etl_demo_sub; reuse its names (replication.replicator.subscription, publication, slot) or stop it first',
    ]);
  });
});
