import type { ReplicationConfig, ReplicationMode } from './replication-schema';

export type { ReplicationMode } from './replication-schema';

/** Postgres logical replication with every name fixed: publication and slot on the source, subscription on the replica. */
export interface PostgresReplicatorSpec {
  type: 'postgres';
  publication: string;
  subscription: string;
  slot: string;
  tables: string[];
}

export interface DmsReplicatorSpec {
  type: 'dms';
  taskArn: string;
  region?: string;
  reloadTarget: boolean;
}

export type ReplicatorSpec = PostgresReplicatorSpec | DmsReplicatorSpec;

/** A replication fully resolved from a pipeline file: what replicationWorkflow takes. */
export interface ReplicationSpec {
  replicator: ReplicatorSpec;
  mode: ReplicationMode;
  lagThreshold: { bytes: number; seconds: number };
  pollSeconds: number;
}

/** Fills the defaults that derive from the pipeline: names from its name, tables from its source tables. */
export function resolveReplication(input: { name: string; tables: readonly { source: string; kind?: string }[]; replication: ReplicationConfig }): ReplicationSpec {
  const { replication } = input;
  const { replicator } = replication;
  const base = `etl_${input.name.replace(/-/g, '_')}`;
  const resolved: ReplicatorSpec =
    replicator.type === 'dms'
      ? replicator
      : {
          type: 'postgres',
          publication: replicator.publication ?? `${base}_pub`,
          subscription: replicator.subscription ?? `${base}_sub`,
          slot: replicator.slot ?? `${base}_slot`,
          tables: replicator.tables ?? [...new Set(input.tables.filter((table) => (table.kind ?? 'postgres') === 'postgres').map((table) => table.source))],
        };
  return { replicator: resolved, mode: replication.mode, lagThreshold: replication.lagThreshold, pollSeconds: replication.pollSeconds };
}
