import type { MetricMeter } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../common/logger';
import { formatSdkRecord, snakeCaseTags } from '../common/log-record';
import { ETL_METRICS } from '../common/metric-names';

const PINO_LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Run durations reach hours; the SDK's default buckets stop at 10 seconds. */
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400, 28_800];

let installed = false;

/** A meter whose `withTags` spells tags in snake_case: the worker tags every metric with `taskQueue`. */
function snakeCaseMeter(meter: MetricMeter): MetricMeter {
  return {
    createCounter: (...args) => meter.createCounter(...args),
    createHistogram: (...args) => meter.createHistogram(...args),
    createGauge: (...args) => meter.createGauge(...args),
    withTags: (tags) => snakeCaseMeter(meter.withTags(snakeCaseTags(tags))),
  };
}

/**
 * Sends the Temporal SDK's own logs (worker lifecycle, workflow and activity loggers) through our pino
 * logger as JSON and, given a port, serves one Prometheus endpoint (`/metrics`) with the SDK's metrics and
 * ours (emitted through the SDK's metric meter). Must run before the first Worker is created; the Runtime
 * exists once per process, so later calls are ignored.
 */
export function installRuntime(input: {
  logger: Logger;
  level?: LogLevel;
  /** `fallback`: when the port is taken (another worker on this host), warn and run without metrics. */
  metrics?: { host: string; port: number; fallback?: boolean };
}): void {
  if (installed) return;
  installed = true;
  const logger = new DefaultLogger(input.level ?? 'INFO', (entry) => {
    const { message, meta } = formatSdkRecord(entry);
    input.logger[PINO_LEVELS[entry.level]](meta, message);
  });
  const { metrics } = input;
  if (!metrics || metrics.port === 0) {
    Runtime.install({ logger });
    return;
  }
  const prometheus = {
    bindAddress: `${metrics.host}:${metrics.port}`,
    countersTotalSuffix: true,
    useSecondsForDurations: true,
    histogramBucketOverrides: { [ETL_METRICS.pipelineDuration.name]: DURATION_BUCKETS, [ETL_METRICS.tableDuration.name]: DURATION_BUCKETS },
  };
  try {
    const runtime = Runtime.install({ logger, telemetryOptions: { metrics: { prometheus } } });
    // Workers tag their metrics from the runtime's meter; ours must read like the SDK's (task_queue).
    Object.defineProperty(runtime, 'metricMeter', { value: snakeCaseMeter(runtime.metricMeter) });
  } catch (error) {
    const reason = `metrics on ${prometheus.bindAddress}: ${error instanceof Error ? error.message : String(error)}`;
    if (!metrics.fallback) throw new Error(`${reason} (set ETL_METRICS_PORT to a free port, or 0 to turn metrics off)`);
    input.logger.warn(`${reason}; running without metrics (set ETL_METRICS_PORT to serve them on another port)`);
    Runtime.install({ logger });
    return;
  }
  input.logger.info({ metrics: `http://${prometheus.bindAddress}/metrics` }, 'serving Prometheus metrics');
}
