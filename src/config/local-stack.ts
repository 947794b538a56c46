/** `ETL_PORT_OFFSET` shifts every local port, so two checkouts (each with its own ETL_STATE_DIR) run side by side. */
function readPortOffset(raw: string | undefined): number {
  const offset = Number(raw ?? 0);
  if (!Number.isInteger(offset) || offset < 0 || offset > 40_000) {
    throw new Error(`environment: ETL_PORT_OFFSET must be an integer from 0 to 40000, got ${JSON.stringify(raw)}`);
  }
  return offset;
}

const PORT_OFFSET = readPortOffset(process.env.ETL_PORT_OFFSET);

/**
 * Where the embedded local stack listens. The dev stack starts services on these ports and the settings
 * fall back to them when no environment variable points elsewhere; ports sit away from the usual defaults
 * (7233, 5432, 9000) so a developer's own Temporal, Postgres or MinIO keeps running beside it.
 */
export const LOCAL_STACK = {
  host: '127.0.0.1',
  // The UI sits 1000 above gRPC, so with offsets in thousands one stack's UI port would be the next one's gRPC
  // port: shifted stacks move gRPC 20 and the UI 50 further (offset 1000: gRPC 18253 beside the default UI 18233).
  temporalPort: 17233 + PORT_OFFSET + (PORT_OFFSET === 0 ? 0 : 20),
  temporalUiPort: 18233 + PORT_OFFSET + (PORT_OFFSET === 0 ? 0 : 50),
  temporalHttpPort: 17243 + PORT_OFFSET,
  temporalMetricsPort: 17234 + PORT_OFFSET,
  s3Port: 17070 + PORT_OFFSET,
  postgresPort: 15432 + PORT_OFFSET,
  /** The worker's Prometheus endpoint (9464 is the usual exporter port). */
  workerMetricsPort: 9464 + PORT_OFFSET,
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
