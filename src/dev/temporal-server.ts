import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { ETL_SEARCH_ATTRIBUTES } from '../common/search-attributes';
import { LOCAL_STACK } from '../config/local-stack';
import { isAlive, readPid, spawnDetached, stopPidFile, tailFile, waitUntil } from './processes';

/** The Temporal CLI dev server with a SQLite file under the state dir, so histories survive restarts. */
export interface TemporalServer {
  binary: string;
  dir: string;
  pidFile: string;
  logFile: string;
  address: string;
}

export function temporalServer(input: { stateDir: string; binary: string }): TemporalServer {
  const dir = join(input.stateDir, 'temporal');
  return {
    binary: input.binary,
    dir,
    pidFile: join(dir, 'temporal.pid'),
    logFile: join(dir, 'temporal.log'),
    address: `${LOCAL_STACK.host}:${LOCAL_STACK.temporalPort}`,
  };
}

export async function isTemporalHealthy(input: { address: string }): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: input.address, connectTimeout: 2000 });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}

export async function startTemporal(server: TemporalServer): Promise<void> {
  await mkdir(server.dir, { recursive: true });
  const { host } = LOCAL_STACK;
  const pid = await spawnDetached({
    command: server.binary,
    args: [
      'server', 'start-dev',
      '--db-filename', join(server.dir, 'temporal.db'),
      '--ip', host,
      '--port', String(LOCAL_STACK.temporalPort),
      '--ui-ip', host,
      '--ui-port', String(LOCAL_STACK.temporalUiPort),
      '--http-port', String(LOCAL_STACK.temporalHttpPort),
      '--metrics-port', String(LOCAL_STACK.temporalMetricsPort),
      '--log-level', 'warn',
      ...ETL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]),
    ],
    logFile: server.logFile,
    pidFile: server.pidFile,
  });
  await waitUntil({
    check: () => isTemporalHealthy(server),
    timeoutMs: 60_000,
    abort: () => (isAlive(pid) ? undefined : `Temporal dev server exited:\n${tailFile(server.logFile)}`),
    describe: () => `Temporal dev server did not become healthy on ${server.address} within 60s:\n${tailFile(server.logFile)}`,
  });
}

export function stopTemporal(server: Pick<TemporalServer, 'pidFile'>): Promise<boolean> {
  return stopPidFile({ pidFile: server.pidFile });
}

export function temporalPid(server: Pick<TemporalServer, 'pidFile'>): number | undefined {
  return readPid(server.pidFile);
}
