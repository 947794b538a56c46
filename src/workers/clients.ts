import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { Pool } from 'pg';
import type { ActivityDeps } from '../activities';
import type { Settings } from '../config/settings';
import { DEFAULT_DUCKDB } from '../config/pipeline-schema';
import type { DuckdbLimits } from '../transform/duckdb-session';
import { redactText } from '../common/redact';
import { removeDeadSpools } from '../runtime/spool';

/** One client per region, built on first use (a DMS task's region comes from its ARN). */
function regionalClients<T extends { destroy(): void }>(build: (region: string) => T): { forRegion(region: string): T; destroy(): void } {
  const clients = new Map<string, T>();
  return {
    forRegion(region) {
      const client = clients.get(region) ?? build(region);
      clients.set(region, client);
      return client;
    },
    destroy: () => clients.forEach((client) => client.destroy()),
  };
}

/**
 * A pool whose connections may drop (a restart, a failover, pg_terminate_backend) without killing the process.
 * pg emits 'error' on an idle pooled client (the pool relays it) and on a checked-out one; an 'error' event
 * with no listener is thrown by Node and ends the worker. With these listeners the broken connection is only
 * reported: the query using it fails, the activity fails retryably, and the pool opens a new connection.
 */
export function createPool(input: { connectionString: string; max: number; onError: (error: Error) => void }): Pool {
  const pool = new Pool({ connectionString: input.connectionString, max: input.max, application_name: 'temporal-etl' });
  pool.on('error', input.onError);
  pool.on('connect', (client) => client.on('error', input.onError));
  return pool;
}

const warnPoolError = (error: Error) => {
  const code = (error as { code?: unknown }).code;
  console.warn(JSON.stringify({ level: 'warn', msg: 'database connection lost; the pool reconnects', code, error: redactText(error.message) }));
};

/** Builds every client once per worker process; activities share them. */
/** The S3 client of the lake (the local S3 server, or AWS S3 with the normal credential chain). */
export function createS3Client(settings: Settings): S3Client {
  return new S3Client({ endpoint: settings.s3.endpoint, region: settings.s3.region, forcePathStyle: settings.s3.forcePathStyle, credentials: settings.s3.credentials });
}

export async function buildClients(input: { settings: Settings; duckdb?: DuckdbLimits; onPoolError?: (error: Error) => void }): Promise<ActivityDeps> {
  const { settings } = input;
  const spoolDir = join(settings.stateDir, 'spool');
  await mkdir(spoolDir, { recursive: true });
  await removeDeadSpools({ spoolDir });
  const pool = (connectionString: string) => createPool({ connectionString, max: 8, onError: input.onPoolError ?? warnPoolError });
  // Each DuckDB session opens its own sealed database (see withDuckdb); these are the limits of sessions no pipeline sets.
  const duckdb: DuckdbLimits = { ...DEFAULT_DUCKDB, ...input.duckdb };
  let secretsManager: SecretsManagerClient | undefined;
  return {
    pools: {
      source: pool(settings.postgres.sourceUrl),
      warehouse: pool(settings.postgres.warehouseUrl),
      replica: pool(settings.postgres.replicaUrl),
    },
    s3: createS3Client(settings),
    redshiftData: new RedshiftDataClient({ region: settings.s3.region }),
    sns: new SNSClient({ region: settings.s3.region }),
    secretsManager: () => (secretsManager ??= new SecretsManagerClient({ region: settings.s3.region })),
    dms: regionalClients((region) => new DatabaseMigrationServiceClient({ region })),
    replicationSourceUrl: settings.postgres.sourceUrl,
    duckdb,
    spoolDir,
  };
}

export async function closeClients(deps: ActivityDeps): Promise<void> {
  await Promise.all(Object.values(deps.pools).map((pool) => pool.end()));
  deps.s3.destroy();
  deps.redshiftData.destroy();
  deps.sns.destroy();
  deps.dms.destroy();
}
