import { Context } from '@temporalio/activity';

/** The Temporal activity context, or undefined when called directly (a test or a script). */
export function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

const latestDetails = new WeakMap<Context, unknown>();

/** Records progress so Temporal knows the activity is alive and a retry can resume from `details`. */
export function heartbeat(details?: unknown): void {
  const context = currentContext();
  if (!context) return;
  latestDetails.set(context, details);
  context.heartbeat(details);
}

/**
 * Heartbeats every few seconds (at most a quarter of the activity's heartbeat timeout apart, repeating the
 * latest details) while `work` runs, so long single calls into DuckDB or Postgres do not look like a dead
 * worker; a killed worker still stops heartbeating.
 */
export async function keepAlive<T>(work: () => Promise<T>, intervalMs = 5000): Promise<T> {
  const context = currentContext();
  if (!context) return work();
  const every = Math.min(intervalMs, (context.info.heartbeatTimeoutMs ?? Infinity) / 4);
  const timer = setInterval(() => context.heartbeat(latestDetails.get(context)), every);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Progress the previous attempt recorded, if this is a retry of an activity that heartbeated. */
export function lastHeartbeat<T>(): T | undefined {
  return currentContext()?.info.heartbeatDetails as T | undefined;
}

/** Rethrows cancellation between units of work, so a cancelled run stops promptly. */
export function throwIfCancelled(): void {
  const context = currentContext();
  if (context?.cancellationSignal.aborted) throw context.cancellationSignal.reason;
}

/**
 * What extract, transform and load heartbeat (beside any resume details of their own), so a client reading
 * the running activity (`describe` → pendingActivities[].heartbeatDetails) can show rows and bytes so far.
 */
export interface StepProgress {
  step: 'extract' | 'transform' | 'load';
  /** Files (parts) finished so far, and in all when known. */
  partsDone: number;
  partsTotal?: number;
  rows: number;
  bytes: number;
}

/** Heartbeats a step's progress (after any resume details the step keeps, which it must not shadow). */
export function heartbeatStep(progress: StepProgress, resume: object = {}): void {
  heartbeat({ ...resume, ...progress });
}
