import type { DmsReplicatorSpec, PostgresReplicatorSpec, ReplicationMode } from '../config/replication';

/** Where a replication is: the same words for a DMS task and a Postgres subscription. */
export type ReplicationState = 'starting' | 'full-load' | 'cdc' | 'stopped' | 'failed';

export interface TableProgress {
  table: string;
  /** The replicator's own word: DMS TableState ("Table completed", "Table error"…) or a pg_subscription_rel state. */
  state: string;
  rows: number;
}

/** One look at a replication, the same for every replicator; the workflow decides what to do with it. */
export interface ReplicationProgress {
  state: ReplicationState;
  /** Every table copied (DMS: full load 100 %, or stopped FULL_LOAD_ONLY_FINISHED; Postgres: every table ready). */
  fullLoadDone: boolean;
  /** Full load done and the replica has applied what the source had committed at the sync point. */
  inSync: boolean;
  tables: TableProgress[];
  rows: number;
  /** Unknown lag (DMS reports it only to CloudWatch) is left out. */
  lag: { bytes?: number; seconds?: number };
  /** Why the replication failed, naming the task's failure message or the tables in error; the workflow fails with it. */
  failure?: string;
  /** Anything else a user should see: a stop reason, tables dropped on the source, apply errors. */
  detail?: string;
}

/** What start did; syncPoint (Postgres: the source's WAL flush position) is what "in sync" is measured against. */
export interface ReplicationStart {
  action: string;
  syncPoint?: string;
}

export interface ReplicationCheck {
  replicator: string;
  tables: string[];
}

export interface PostgresReplicationInput {
  replicator: PostgresReplicatorSpec;
  mode: ReplicationMode;
}

export interface DmsReplicationInput {
  replicator: DmsReplicatorSpec;
  mode: ReplicationMode;
}
