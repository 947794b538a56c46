import { z } from 'zod';
import { identifier } from './transform-schema';

import { replicationModes } from './replication-modes';

/** What a replication run does: AWS DMS's own migration types, which Postgres logical replication also covers. */
export { replicationModes, type ReplicationMode } from './replication-modes';

const qualifiedName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'expected a schema-qualified name such as raw.customers');

/** Postgres logical replication from the source database into the replica; names default from the pipeline name. */
const postgresReplicator = z.strictObject({
  type: z.literal('postgres'),
  publication: identifier.optional(),
  subscription: identifier.optional(),
  slot: z.string().regex(/^[a-z0-9_]{1,63}$/, 'expected lowercase letters, digits and _ (a replication slot name)').optional(),
  /** Source tables to replicate; the pipeline's source tables when unset. */
  tables: z.array(qualifiedName).min(1).optional(),
});

/** An existing AWS DMS replication task (source endpoint → the replica), started and watched by the workflow. */
const dmsReplicator = z.strictObject({
  type: z.literal('dms'),
  taskArn: z.string().regex(/^arn:aws[\w-]*:dms:[\w-]+:\d{12}:(task|rep):[\w-]+$/, 'expected a DMS replication task ARN'),
  region: z.string().min(1).optional(),
  /** Start with reload-target (reload every table) instead of resuming after a stop. */
  reloadTarget: z.boolean().default(false),
});

export const replicationSchema = z.strictObject({
  replicator: z.discriminatedUnion('type', [postgresReplicator, dmsReplicator]),
  mode: z.enum(replicationModes).default('full-load-and-cdc'),
  /** Lag above either bound raises an alert; the pipeline waits until lag is under both before extracting. */
  lagThreshold: z
    .strictObject({ bytes: z.int().min(0).default(16 * 1024 * 1024), seconds: z.number().min(0).default(60) })
    .prefault({}),
  /** Seconds between progress checks (durable timers, so a long wait costs nothing). */
  pollSeconds: z.number().min(0.1).max(3600).default(5),
});

export type ReplicationConfig = z.output<typeof replicationSchema>;
