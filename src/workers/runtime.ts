import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../common/logger';

const PINO_LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

let installed = false;

/**
 * Sends the Temporal SDK's own logs (worker lifecycle, workflow and activity loggers) through our pino
 * logger as JSON. Must run before the first Worker is created; later calls are ignored.
 */
export function installRuntime(input: { logger: Logger; level?: LogLevel }): void {
  if (installed) return;
  installed = true;
  const logger = new DefaultLogger(input.level ?? 'INFO', (entry) => {
    input.logger[PINO_LEVELS[entry.level]]({ ...entry.meta }, entry.message);
  });
  Runtime.install({ logger });
}
