import type { ReplicationMode } from '../../config/replication';

/** What the source catalog says about one table to be replicated. */
export interface ReplicatedTableFacts {
  name: string;
  present: boolean;
  identity: string;
  has_primary_key: boolean;
}

export interface ReplicationProblem {
  type: 'WalLevelNotLogical' | 'SourceTableMissing' | 'TableWithoutPrimaryKey' | 'ReplicaTableTaken';
  message: string;
}

/** Can a table's updates and deletes be replicated? A primary key (the default identity), a unique index or the full row. */
function hasReplicaIdentity(table: ReplicatedTableFacts): boolean {
  return (table.identity === 'd' && table.has_primary_key) || table.identity === 'f' || table.identity === 'i';
}

/**
 * Everything that would make logical replication fail or harm the source, found before anything is created:
 * wal_level, missing tables, and (for CDC) tables whose updates the subscriber could not apply — worse, a
 * published table without a replica identity makes the source itself reject UPDATE and DELETE.
 */
export function findReplicationProblems(input: {
  walLevel: string;
  tables: readonly ReplicatedTableFacts[];
  mode: ReplicationMode;
  /** Replica tables another subscription already writes: two writers would collide on every key. */
  others?: readonly { subscription: string; name: string }[];
}): ReplicationProblem[] {
  const problems: ReplicationProblem[] = [];
  if (input.walLevel !== 'logical') {
    problems.push({
      type: 'WalLevelNotLogical',
      message: `the source has wal_level = ${input.walLevel}; logical replication needs wal_level = logical (postgresql.conf, or rds.logical_replication = 1 in the RDS parameter group) and a restart`,
    });
  }
  for (const table of input.tables) {
    if (!table.present) {
      problems.push({ type: 'SourceTableMissing', message: `table ${table.name} does not exist in the source database` });
    } else if (input.mode !== 'full-load' && !hasReplicaIdentity(table)) {
      problems.push({
        type: 'TableWithoutPrimaryKey',
        message: `table ${table.name} has no primary key; CDC needs one to apply updates and deletes (add a primary key, or ALTER TABLE … REPLICA IDENTITY FULL), or use mode full-load`,
      });
    }
  }
  for (const other of input.others ?? []) {
    problems.push({
      type: 'ReplicaTableTaken',
      message: `replica table ${other.name} is already written by subscription ${other.subscription}; reuse its names (replication.replicator.subscription, publication, slot) or stop it first`,
    });
  }
  return problems;
}
