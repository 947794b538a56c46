import { mkdir } from 'node:fs/promises';
import { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from '../client/search-attributes';
import { LOCAL_STACK } from '../config/local-stack';
import type { Settings } from '../config/settings';
import { createDatabases, isPostgresHealthy, postgresServer, startPostgres, stopPostgres } from './postgres-server';
import { ensureBucket, isS3Healthy, s3Server, startS3, stopS3 } from './s3-server';
import { isTemporalHealthy, startTemporal, stopTemporal, temporalServer } from './temporal-server';
import { ensureGoTool, TEMPORAL_CLI, VERSITYGW, type GoTool } from './tools';

export type ServiceName = 'temporal' | 's3' | 'postgres';

export interface ServiceStatus {
  name: ServiceName;
  state: 'running' | 'stopped' | 'external';
  endpoint: string;
}

type Log = (message: string) => void;

interface Service {
  name: ServiceName;
  embedded: boolean;
  endpoint: string;
  isHealthy(): Promise<boolean>;
  /** Builds what `start` needs (a Go tool on the first run); run for every service before any starts. */
  prepare(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<boolean>;
}

function services(settings: Settings, log: Log): Service[] {
  const { stateDir, toolsDir } = settings;
  const onBuild = (tool: GoTool) => log(`building ${tool.name} ${tool.version} with go install (first run only; a few minutes)…`);
  const tool = (goTool: GoTool) => ensureGoTool({ tool: goTool, toolsDir, onBuild });
  const pg = postgresServer({ stateDir });
  return [
    {
      name: 'postgres',
      embedded: settings.postgres.embedded,
      endpoint: `postgres://${LOCAL_STACK.host}:${LOCAL_STACK.postgresPort} (databases ${LOCAL_STACK.databases.join(', ')})`,
      isHealthy: isPostgresHealthy,
      prepare: () => Promise.resolve(),
      start: () => startPostgres(pg),
      stop: () => Promise.resolve(stopPostgres(pg)),
    },
    {
      name: 's3',
      embedded: settings.s3.embedded,
      endpoint: settings.s3.endpoint ?? 'AWS S3',
      isHealthy: () => isS3Healthy(s3Server({ stateDir, binary: '' })),
      prepare: async () => void (await tool(VERSITYGW)),
      start: async () => startS3(s3Server({ stateDir, binary: await tool(VERSITYGW) })),
      stop: () => stopS3(s3Server({ stateDir, binary: '' })),
    },
    {
      name: 'temporal',
      embedded: settings.temporal.embedded,
      endpoint: `${settings.temporal.address} (Web UI ${settings.temporal.uiUrl})`,
      isHealthy: () => isTemporalHealthy(settings.temporal),
      prepare: async () => void (await tool(TEMPORAL_CLI)),
      start: async () => startTemporal({ server: temporalServer({ stateDir, binary: await tool(TEMPORAL_CLI) }), log }),
      stop: () => stopTemporal(temporalServer({ stateDir, binary: '' })),
    },
  ];
}

/**
 * Starts every embedded service that is not already healthy and waits for health; services pointed
 * elsewhere by the environment are left alone. Missing tools are all built first, one after the other, so
 * no server starts while a Go build holds every core. Returns the names of the services it started.
 */
export async function upStack(input: { settings: Settings; log?: Log }): Promise<ServiceName[]> {
  const log = input.log ?? (() => undefined);
  await mkdir(input.settings.stateDir, { recursive: true });
  const embedded = services(input.settings, log).filter((service) => service.embedded);
  const healthy = await Promise.all(embedded.map((service) => service.isHealthy()));
  const toStart = embedded.filter((_, index) => !healthy[index]);
  for (const service of toStart) await service.prepare();
  const started = await Promise.all(
    toStart.map(async (service) => {
      log(`starting ${service.name}…`);
      await service.start();
      log(`${service.name} is up: ${service.endpoint}`);
      return service.name;
    }),
  );
  if (input.settings.s3.embedded) {
    await ensureBucket({ endpoint: s3Server({ stateDir: input.settings.stateDir, binary: '' }).endpoint, bucket: LOCAL_STACK.lakeBucket });
  }
  if (input.settings.postgres.embedded) await createDatabases();
  if (input.settings.temporal.embedded) await registerSearchAttributes(input.settings, log);
  return started;
}

/** A dev server started by an older checkout lacks the runs' search attributes: add them. */
async function registerSearchAttributes(settings: Settings, log: Log): Promise<void> {
  const connection = await Connection.connect({ address: settings.temporal.address });
  try {
    const added = await ensureSearchAttributes({ connection, namespace: settings.temporal.namespace });
    if (added.length > 0) log(`registered search attributes ${added.join(', ')}`);
  } finally {
    await connection.close();
  }
}

/** Stops the embedded services this stack runs (or only those named); returns the ones it stopped. */
export async function downStack(input: { settings: Settings; only?: readonly ServiceName[]; log?: Log }): Promise<ServiceName[]> {
  const log = input.log ?? (() => undefined);
  const targets = services(input.settings, log).filter(
    (service) => service.embedded && (input.only === undefined || input.only.includes(service.name)),
  );
  const stopped: ServiceName[] = [];
  for (const service of targets.reverse()) {
    if (await service.stop()) {
      log(`stopped ${service.name}`);
      stopped.push(service.name);
    }
  }
  return stopped;
}

/** Health of each service: running, stopped, or external (pointed elsewhere by the environment). */
export async function describeStack(input: { settings: Settings }): Promise<ServiceStatus[]> {
  return Promise.all(
    services(input.settings, () => undefined).map(async (service): Promise<ServiceStatus> => {
      if (!service.embedded) return { name: service.name, state: 'external', endpoint: service.endpoint };
      return { name: service.name, state: (await service.isHealthy()) ? 'running' : 'stopped', endpoint: service.endpoint };
    }),
  );
}
