import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { ETL_SEARCH_ATTRIBUTES, searchAttributeTypeName } from '../common/search-attributes';
import { LOCAL_STACK } from '../config/local-stack';
import { readPid, spawnDetached, stopPidFile, tailFile, waitWhileProgressing } from './processes';

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

/**
 * One health probe with a channel of its own, always closed. A failed `Connection.connect` used to leak its
 * channel: grpc-js kept retrying with exponential backoff (up to 120 s) on the subchannel every later probe
 * shared, so after a build of several minutes the server answered long before the probes could see it.
 */
export async function isTemporalHealthy(input: { address: string }): Promise<boolean> {
  const connection = Connection.lazy({
    address: input.address,
    connectTimeout: 2000,
    channelArgs: { 'grpc.use_local_subchannel_pool': 1 },
  });
  try {
    await connection.ensureConnected();
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}

/** A first start creates the SQLite schema and can be slow on a busy machine: wait while the server works. */
const START_STALL_MS = 120_000;
const START_LIMIT_MS = 600_000;

/**
 * Starts the dev server and waits for it to answer, for as long as its process is alive and progressing
 * (using CPU or writing its database or log), up to 10 minutes; `log` hears every 15 s what it waits for.
 */
export async function startTemporal(input: { server: TemporalServer; log?: (message: string) => void }): Promise<void> {
  const { server } = input;
  await mkdir(server.dir, { recursive: true });
  const { host } = LOCAL_STACK;
  const dbFile = join(server.dir, 'temporal.db');
  const pid = await spawnDetached({
    command: server.binary,
    args: [
      'server', 'start-dev',
      '--db-filename', dbFile,
      '--ip', host,
      '--port', String(LOCAL_STACK.temporalPort),
      '--ui-ip', host,
      '--ui-port', String(LOCAL_STACK.temporalUiPort),
      '--http-port', String(LOCAL_STACK.temporalHttpPort),
      '--metrics-port', String(LOCAL_STACK.temporalMetricsPort),
      '--log-level', 'warn',
      ...ETL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${searchAttributeTypeName(key)}`]),
    ],
    logFile: server.logFile,
    pidFile: server.pidFile,
  });
  const seconds = (ms: number) => Math.round(ms / 1000);
  await waitWhileProgressing({
    pid,
    check: () => isTemporalHealthy(server),
    files: [dbFile, server.logFile],
    stallMs: START_STALL_MS,
    limitMs: START_LIMIT_MS,
    onWait: ({ elapsedMs, cpuSeconds }) =>
      input.log?.(
        `still waiting for the Temporal dev server on ${server.address}: ${seconds(elapsedMs)}s, process ${pid} alive` +
          `${cpuSeconds === undefined ? '' : ` (${cpuSeconds.toFixed(1)}s CPU)`}; waiting while it makes progress (log: ${server.logFile})`,
      ),
    describe: (reason, elapsedMs) => {
      const what = {
        exited: 'exited before it answered',
        stalled: `stopped making progress (no CPU time, database or log growth for ${seconds(START_STALL_MS)}s) without answering`,
        limit: `did not answer within ${seconds(START_LIMIT_MS)}s`,
      }[reason];
      return `Temporal dev server (pid ${pid}) on ${server.address} ${what} after ${seconds(elapsedMs)}s; see ${server.logFile}:\n${tailFile(server.logFile)}`;
    },
  });
}

export function stopTemporal(server: Pick<TemporalServer, 'pidFile'>): Promise<boolean> {
  return stopPidFile({ pidFile: server.pidFile });
}

export function temporalPid(server: Pick<TemporalServer, 'pidFile'>): number | undefined {
  return readPid(server.pidFile);
}
