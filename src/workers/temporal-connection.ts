import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { tracingPlugins } from '../common/tracing';
import type { Settings } from '../config/settings';

function connectionOptions(settings: Settings) {
  const { address, apiKey, tls } = settings.temporal;
  return { address, apiKey, tls: tls ? {} : undefined };
}

/** The worker's connection (native, Rust core) to Temporal, from settings. */
export function connectWorker(settings: Settings): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(settings));
}

/** A workflow client from settings (traced when ETL_TRACING is on); close `client.connection` when done. */
export async function connectClient(settings: Settings): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(settings));
  const plugins = tracingPlugins({ tracing: settings.tracing, serviceName: 'temporal-etl-client' });
  return new Client({ connection, namespace: settings.temporal.namespace, plugins });
}
