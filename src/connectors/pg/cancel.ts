import type { Pool, PoolClient } from 'pg';
import { currentContext } from '../../runtime/heartbeat';

/**
 * When the activity is cancelled (Temporal delivers that with a heartbeat), cancels the statement running on
 * `client`, so a long COPY or MERGE fails now and its transaction rolls back. Returns the un-registration.
 */
export async function cancelStatementOnAbort(input: { pool: Pool; client: PoolClient }): Promise<() => void> {
  const signal = currentContext()?.cancellationSignal;
  if (!signal) return () => undefined;
  const pid = (await input.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  const onAbort = () => {
    input.pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
