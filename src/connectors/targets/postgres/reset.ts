import type { Pool } from 'pg';
import { classifyPostgresError } from '../../../runtime/errors';
import { quoteQualified } from '../../../sql/quote';
import { SELECT_TABLE_EXISTS } from '../../sources/postgres/sql';
import { resetTables } from '../state-sql';
import type { ResetTablesInput, ResetTablesResult } from '../types';
import { LOAD_LOCK } from './lock';

async function exists(pool: Pool, target: string): Promise<boolean> {
  return (await pool.query<{ present: boolean }>(SELECT_TABLE_EXISTS, [quoteQualified(target)])).rows[0]?.present === true;
}

/** Resets tables' state in one transaction, serialized with loads (their advisory lock), so no load interleaves. */
export async function resetPostgresTables(pool: Pool, input: ResetTablesInput): Promise<ResetTablesResult> {
  const client = await pool.connect();
  try {
    const tables = await Promise.all(input.tables.map(async (table) => ({ name: table.name, targets: input.truncate ? (await Promise.all(table.targets.map(async (target) => ((await exists(pool, target)) ? [target] : [])))).flat() : [] })));
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOAD_LOCK]);
    for (const sql of resetTables({ ...input, dialect: 'postgres', tables })) await client.query(sql);
    await client.query('COMMIT');
    return { tables: tables.map((table) => table.name), emptied: tables.flatMap((table) => table.targets) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw classifyPostgresError(error, { table: input.tables.map((table) => table.name).join(', ') });
  } finally {
    client.release();
  }
}
