/** The environment variables `etl` reads, shown at the end of `etl --help`. */
export const ENVIRONMENT_HELP = `
Environment variables:
  TEMPORAL_ADDRESS        Temporal frontend host:port (default: the local stack, 127.0.0.1:17233 + ETL_PORT_OFFSET)
  TEMPORAL_NAMESPACE      namespace (default: default)
  TEMPORAL_TASK_QUEUE     task queue the workers poll (default: temporal-etl)
  TEMPORAL_API_KEY        API key for Temporal Cloud (turns TLS on)
  TEMPORAL_TLS            true to connect with TLS
  TEMPORAL_UI_URL         Web UI base URL for the links printed
  SOURCE_DATABASE_URL, WAREHOUSE_DATABASE_URL, REPLICA_DATABASE_URL
                          Postgres URLs (default: the local stack's databases)
  S3_ENDPOINT, AWS_REGION, S3_FORCE_PATH_STYLE
                          the lake's S3 (default: the local stack's versitygw)
  ETL_PORT_OFFSET         shifts every local-stack port (a second checkout beside the first)
  ETL_STATE_DIR, ETL_TOOLS_DIR
                          local-stack state (default .etl/) and built tools (default ~/.cache/temporal-etl/tools)
  LOG_LEVEL, ETL_LOG_DIR  worker log level and log file directory
  ETL_METRICS_PORT, ETL_METRICS_HOST, ETL_TRACING
                          worker metrics endpoint and OpenTelemetry tracing
  ETL_WORKER_ACTIVITIES   at most this many activities at once in one worker
  ETL_WORKFLOW_BUNDLE     a prebuilt workflow bundle (npm run bundle) workers load instead of bundling at start
`;

/** `--address` and `--namespace` win over the environment: applied before any command reads its settings. */
export function applyGlobalOptions(options: { address?: string; namespace?: string }): void {
  if (options.address) process.env.TEMPORAL_ADDRESS = options.address;
  if (options.namespace) process.env.TEMPORAL_NAMESPACE = options.namespace;
}

/** Output piped into `head` closes early: stop quietly (exit 0) instead of crashing with `write EPIPE`. */
export function exitQuietlyOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
}
