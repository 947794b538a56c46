/** What a replication run does (no schema library here: `etl --help` lists these without loading one). */
export const replicationModes = ['full-load', 'cdc', 'full-load-and-cdc'] as const;
export type ReplicationMode = (typeof replicationModes)[number];
