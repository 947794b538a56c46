import { quoteLiteral } from './quote';

/**
 * The statements that seal a fresh DuckDB database, in the order DuckDB needs: limits and time zone first,
 * then the one folder it may read and write (allowed_directories must be set while external access is still
 * on), then external access off (files, network, ATTACH, extensions), then the configuration locked so no
 * later SET or PRAGMA can reopen it.
 */
export function sealSessionStatements(input: { threads: number; memoryLimit: string; spool: string | null; tempDir: string | null }): string[] {
  const allowed = input.spool === null ? [] : [quoteLiteral(`${input.spool.replace(/\/+$/, '')}/`)];
  return [
    "SET TimeZone = 'UTC'",
    // Nothing here relies on row order (keys are found with ORDER BY), and keeping it costs memory on big COPYs.
    'SET preserve_insertion_order = false',
    `SET threads = ${Math.max(1, Math.trunc(input.threads))}`,
    `SET memory_limit = ${quoteLiteral(input.memoryLimit.replace(/[^\w. ]/g, ''))}`,
    // Spilling goes inside the session's own folder; with no folder, a session does not spill.
    `SET temp_directory = ${quoteLiteral(input.tempDir ?? '')}`,
    `SET allowed_directories = [${allowed.join(', ')}]`,
    'SET autoinstall_known_extensions = false',
    'SET autoload_known_extensions = false',
    'SET enable_external_access = false',
    'SET lock_configuration = true',
  ];
}
