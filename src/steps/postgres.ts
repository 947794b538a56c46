import type { Pool, QueryResult } from 'pg';
import type { DatabaseRole } from '../activities/postgres';
import { cancelStatementOnAbort } from '../connectors/pg/cancel';
import { throwIfCancelled } from '../runtime/heartbeat';
import { classifyPostgresStepError } from './errors';
import { describeStep, stepStatement, type RunStepInput, type StepResult } from './types';

/** Affected rows of every statement the text held; null when none reported a count (CALL reports none). */
function affectedRows(result: QueryResult | QueryResult[]): number | null {
  const counts = (Array.isArray(result) ? result : [result]).map((part) => part.rowCount).filter((count): count is number => typeof count === 'number');
  return counts.length === 0 ? null : counts.reduce((total, count) => total + count, 0);
}

/**
 * Runs a step's statement on its own connection with `statement_timeout` set. A cancelled activity cancels the
 * statement (pg_cancel_backend on its backend); the keep-alive interceptor heartbeats while it runs. The
 * connection is closed afterwards, so nothing the step's session set (or left open) reaches the pool.
 */
export async function runPostgresStep(deps: { pools: Record<DatabaseRole, Pool> }, input: RunStepInput): Promise<StepResult> {
  const { step } = input;
  const where = describeStep(input);
  const started = Date.now();
  const pool = deps.pools[step.on];
  let stopWatching = () => undefined as void;
  const client = await pool.connect().catch((error: unknown) => {
    throw classifyPostgresStepError(error, { where, timeoutSeconds: step.timeoutSeconds });
  });
  try {
    stopWatching = await cancelStatementOnAbort({ pool, client });
    // A SET takes no parameters; the value is a validated integer.
    await client.query(`SET statement_timeout = ${step.timeoutSeconds * 1000}`);
    throwIfCancelled();
    const result = (await client.query(stepStatement(step))) as QueryResult | QueryResult[];
    return { name: step.name, on: step.on, rows: affectedRows(result), seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    throwIfCancelled();
    throw classifyPostgresStepError(error, { where, timeoutSeconds: step.timeoutSeconds });
  } finally {
    stopWatching();
    client.release(true);
  }
}
