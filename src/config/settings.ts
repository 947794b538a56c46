import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors';
import { formatIssues } from './format-issues';
import { LOCAL_STACK, localPostgresUrl } from './local-stack';

/**
 * Process settings from the environment: where Temporal, S3 and the databases are, and the credentials to
 * reach them. These stay in the worker and client processes; they never travel in workflow payloads.
 */
export interface Settings {
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls: boolean;
    uiUrl: string;
    /** True when no TEMPORAL_ADDRESS was given, so the dev stack runs the server. */
    embedded: boolean;
  };
  s3: {
    endpoint?: string;
    region: string;
    forcePathStyle: boolean;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    embedded: boolean;
  };
  postgres: { sourceUrl: string; warehouseUrl: string; replicaUrl: string; embedded: boolean };
  stateDir: string;
  toolsDir: string;
  logLevel: string;
  /** Where JSON logs are also written, as ETLPipeline_YYYYMMDD_HHMMSS.log (stdout always). */
  logDir?: string;
  /** The Prometheus endpoint: `port` is set only when ETL_METRICS_PORT was given (0 turns it off). */
  metrics: { host: string; port?: number };
  /** OpenTelemetry tracing of clients, workflows and activities, exported over OTLP/HTTP. */
  tracing: boolean;
  /** ETL_WORKER_ACTIVITIES: at most this many activities run at once in one worker (unset: the SDK's default), so parts spread over the fleet. */
  workerActivities?: number;
  /** ETL_WORKFLOW_BUNDLE: a prebuilt workflow bundle (writeWorkflowBundle) workers load instead of bundling at start. */
  workflowBundle?: string;
}

const optional = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value ? value : undefined));
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((value) => value === 'true' || value === '1');
const postgresUrl = optional.pipe(
  z
    .string()
    .regex(/^(postgres(ql)?:\/\/|aws-secretsmanager:)/, 'expected a postgres:// URL or an aws-secretsmanager: reference')
    .optional(),
);

const envSchema = z.object({
  TEMPORAL_ADDRESS: optional,
  TEMPORAL_NAMESPACE: optional,
  TEMPORAL_TASK_QUEUE: optional,
  TEMPORAL_API_KEY: optional,
  TEMPORAL_TLS: flag,
  TEMPORAL_UI_URL: optional.pipe(z.url().optional()),
  S3_ENDPOINT: optional.pipe(z.url().optional()),
  S3_FORCE_PATH_STYLE: flag,
  AWS_REGION: optional,
  SOURCE_DATABASE_URL: postgresUrl,
  WAREHOUSE_DATABASE_URL: postgresUrl,
  REPLICA_DATABASE_URL: postgresUrl,
  ETL_STATE_DIR: optional,
  ETL_TOOLS_DIR: optional,
  LOG_LEVEL: optional.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  ETL_LOG_DIR: optional,
  ETL_METRICS_HOST: optional,
  ETL_METRICS_PORT: optional.pipe(z.string().regex(/^\d{1,5}$/, 'expected a port number (0 turns metrics off)').transform(Number).pipe(z.number().max(65_535)).optional()),
  ETL_TRACING: flag,
  ETL_WORKER_ACTIVITIES: optional.pipe(z.string().regex(/^[1-9]\d{0,3}$/, 'expected a whole number of activities, 1 or more').transform(Number).optional()),
  ETL_WORKFLOW_BUNDLE: optional,
});

function defaultToolsDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'temporal-etl', 'tools');
}

/** Reads settings from the environment, falling back to the embedded local stack for anything unset. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError('environment', formatIssues(parsed.error.issues));
  const e = parsed.data;
  const { host } = LOCAL_STACK;
  const s3Embedded = !e.S3_ENDPOINT;
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS ?? `${host}:${LOCAL_STACK.temporalPort}`,
      namespace: e.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: e.TEMPORAL_TASK_QUEUE ?? 'temporal-etl',
      apiKey: e.TEMPORAL_API_KEY,
      tls: e.TEMPORAL_TLS || Boolean(e.TEMPORAL_API_KEY),
      uiUrl: e.TEMPORAL_UI_URL ?? (e.TEMPORAL_ADDRESS ? 'https://cloud.temporal.io' : `http://${host}:${LOCAL_STACK.temporalUiPort}`),
      embedded: !e.TEMPORAL_ADDRESS,
    },
    s3: {
      endpoint: e.S3_ENDPOINT ?? `http://${host}:${LOCAL_STACK.s3Port}`,
      region: e.AWS_REGION ?? LOCAL_STACK.region,
      forcePathStyle: s3Embedded || e.S3_FORCE_PATH_STYLE,
      credentials: s3Embedded
        ? { accessKeyId: LOCAL_STACK.s3AccessKeyId, secretAccessKey: LOCAL_STACK.s3SecretAccessKey }
        : undefined,
      embedded: s3Embedded,
    },
    postgres: {
      sourceUrl: e.SOURCE_DATABASE_URL ?? localPostgresUrl('source'),
      warehouseUrl: e.WAREHOUSE_DATABASE_URL ?? localPostgresUrl('warehouse'),
      replicaUrl: e.REPLICA_DATABASE_URL ?? localPostgresUrl('replica'),
      embedded: !e.SOURCE_DATABASE_URL || !e.WAREHOUSE_DATABASE_URL || !e.REPLICA_DATABASE_URL,
    },
    stateDir: resolve(e.ETL_STATE_DIR ?? '.etl'),
    toolsDir: resolve(e.ETL_TOOLS_DIR ?? defaultToolsDir(env)),
    logLevel: e.LOG_LEVEL ?? 'info',
    logDir: e.ETL_LOG_DIR === undefined ? undefined : resolve(e.ETL_LOG_DIR),
    metrics: { host: e.ETL_METRICS_HOST ?? host, port: e.ETL_METRICS_PORT },
    tracing: e.ETL_TRACING,
    workerActivities: e.ETL_WORKER_ACTIVITIES,
    workflowBundle: e.ETL_WORKFLOW_BUNDLE === undefined ? undefined : resolve(e.ETL_WORKFLOW_BUNDLE),
  };
}
