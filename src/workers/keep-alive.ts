import type { Context as ActivityContext } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';
import { keepAlive } from '../runtime/heartbeat';

/**
 * Every activity heartbeats every few seconds while it runs (repeating its latest progress details), so every
 * proxy can set a short heartbeatTimeout: a killed worker's activity is retried elsewhere within that timeout,
 * whatever the activity's own startToCloseTimeout, and a slow but live one is never mistaken for a dead one.
 */
export function keepActivitiesAlive(_ctx: ActivityContext): ActivityInterceptors {
  return {
    inbound: {
      execute: (input, next) => keepAlive(() => next(input)),
    },
  };
}
