import type { Client } from '@temporalio/client';
import { loadSettings, type Settings } from '../config';
import { connectClient } from '../workers/temporal-connection';
import { describeError } from './errors';
import { ensureSearchAttributes } from './search-attributes';
import { countPollers } from './task-queue';

/** Before starting runs: the search attributes they set must exist, and a worker should be there to run them. */
async function prepareToStartRuns(client: Client, settings: Settings): Promise<void> {
  try {
    await ensureSearchAttributes({ connection: client.connection, namespace: settings.temporal.namespace });
  } catch (error) {
    // Temporal Cloud manages them in its console or with tcld; a run whose attributes are missing cannot start its work.
    console.warn(`warning: could not check the search attributes EtlPipeline, EtlRunDate, EtlStatus, EtlTable (${describeError(error)}); make sure they exist (README, "Operating it")`);
  }
  if ((await countPollers({ client, settings })) === 0) {
    console.warn(`warning: no worker polls task queue ${settings.temporal.taskQueue}; the run waits until one starts (npm run worker)`);
  }
}

/**
 * Connects a client from the environment's settings for one command and closes it afterwards. With
 * `startsRuns`, first registers the runs' search attributes if missing and warns when no worker polls.
 */
export async function withClient<T>(use: (client: Client, settings: Settings) => Promise<T>, options: { startsRuns?: boolean } = {}): Promise<T> {
  const settings = loadSettings();
  const { address, namespace } = settings.temporal;
  const client = await connectClient(settings).catch((error: unknown) => {
    throw new Error(`cannot reach Temporal at ${address} (namespace ${namespace}): ${describeError(error)}; start the local stack (npm run stack -- up) or pass --address / set TEMPORAL_ADDRESS`);
  });
  try {
    if (options.startsRuns) await prepareToStartRuns(client, settings);
    return await use(client, settings);
  } finally {
    await client.connection.close();
  }
}
