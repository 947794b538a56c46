import { join } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import { serializeError } from './log-record';

/** Keys whose values are secrets wherever they appear in a log record. */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'apiKey',
  '*.apiKey',
  '*.sourceUrl',
  '*.warehouseUrl',
  '*.replicaUrl',
  '*.connectionString',
];

/** The seed's log file name for a process started at `at` (UTC): ETLPipeline_YYYYMMDD_HHMMSS.log. */
export function logFileName(at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  return `ETLPipeline_${stamp}.log`;
}

/** Stdout, and also a file under `logDir` when one is configured (the directory is created if missing). */
function destinationFor(input: { logDir?: string; startedAt?: Date }): { stream: DestinationStream } {
  const stdout = pino.destination({ dest: 1, sync: true });
  if (!input.logDir) return { stream: stdout };
  const file = join(input.logDir, logFileName(input.startedAt ?? new Date()));
  const stream = pino.multistream([{ stream: stdout, level: 'trace' }, { stream: pino.destination({ dest: file, mkdir: true, sync: true }), level: 'trace' }]);
  return { stream };
}

/**
 * JSON logs (pino) with ISO times, errors as message, type and cause chain, and secrets redacted; pass bindings such as { component: 'worker' }. With `logDir`
 * (ETL_LOG_DIR) every record also goes to logs/ETLPipeline_YYYYMMDD_HHMMSS.log, named after the start time.
 */
export function createLogger(input: { level?: string; bindings?: Record<string, unknown>; logDir?: string; startedAt?: Date } = {}): Logger {
  const { stream } = destinationFor(input);
  const logger = pino(
    {
      level: input.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '***' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError, error: serializeError },
    },
    stream,
  );
  return logger.child(input.bindings ?? {});
}

export type { Logger };
