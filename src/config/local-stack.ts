/**
 * Where the embedded local stack listens. The dev stack starts services on these ports and the settings
 * fall back to them when no environment variable points elsewhere; ports sit away from the usual defaults
 * (7233, 5432, 9000) so a developer's own Temporal, Postgres or MinIO keeps running beside it.
 */
export const LOCAL_STACK = {
  host: '127.0.0.1',
  temporalPort: 17233,
  temporalUiPort: 18233,
  temporalHttpPort: 17243,
  temporalMetricsPort: 17234,
  s3Port: 17070,
  postgresPort: 15432,
  postgresUser: 'etl',
  /** Loopback-only development server; real deployments pass URLs through the environment. */
  postgresPassword: 'etl-local',
  s3AccessKeyId: 'etl-local',
  s3SecretAccessKey: 'etl-local-secret',
  region: 'us-east-1',
  lakeBucket: 'temporal-etl-lake',
  databases: ['source', 'warehouse', 'replica'] as const,
} as const;

export type LocalDatabase = (typeof LOCAL_STACK.databases)[number];

export function localPostgresUrl(database: string): string {
  const { postgresUser, postgresPassword, host, postgresPort } = LOCAL_STACK;
  return `postgres://${postgresUser}:${postgresPassword}@${host}:${postgresPort}/${database}`;
}
