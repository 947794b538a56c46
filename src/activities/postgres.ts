import type { Pool } from 'pg';
import { classifyPostgresError } from '../runtime/errors';

/** The databases a worker connects to: the RDS source, its replica, and the local warehouse stand-in. */
export type DatabaseRole = 'source' | 'warehouse' | 'replica';

export interface PostgresDeps {
  pools: Record<DatabaseRole, Pool>;
}

export interface ServerVersion {
  database: DatabaseRole;
  version: string;
  versionNum: number;
}

export function createPostgresActivities(deps: PostgresDeps) {
  return {
    /** Reads the server version of one database, proving the worker can reach and log in to it. */
    async readServerVersion(input: { database: DatabaseRole }): Promise<ServerVersion> {
      const sql = "select current_setting('server_version') as version, current_setting('server_version_num')::int as num";
      try {
        const result = await deps.pools[input.database].query<{ version: string; num: number }>(sql);
        const row = result.rows[0];
        if (!row) throw new Error('no row returned');
        return { database: input.database, version: row.version, versionNum: row.num };
      } catch (error) {
        throw classifyPostgresError(error, { database: input.database, sql });
      }
    },
  };
}
