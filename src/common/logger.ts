import pino, { type Logger } from 'pino';

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

/** JSON logs (pino) with secrets redacted; pass bindings such as { component: 'worker' }. */
export function createLogger(input: { level?: string; bindings?: Record<string, unknown> } = {}): Logger {
  return pino({ level: input.level ?? process.env.LOG_LEVEL ?? 'info', redact: { paths: REDACTED_PATHS, censor: '***' } }).child(
    input.bindings ?? {},
  );
}

export type { Logger };
