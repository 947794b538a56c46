import type { Client } from '@temporalio/client';
import { loadSettings, type Settings } from '../config';
import { connectClient } from '../workers/temporal-connection';
import { countPollers } from './task-queue';

/**
 * Connects a client from the environment's settings for one command and closes it afterwards. With
 * `warnWithoutWorkers`, warns when no worker polls the task queue (a started run would wait for one).
 */
export async function withClient<T>(use: (client: Client, settings: Settings) => Promise<T>, options: { warnWithoutWorkers?: boolean } = {}): Promise<T> {
  const settings = loadSettings();
  const client = await connectClient(settings);
  try {
    if (options.warnWithoutWorkers && (await countPollers({ client, settings })) === 0) {
      console.warn(`warning: no worker polls task queue ${settings.temporal.taskQueue}; the run waits until one starts (npm run worker)`);
    }
    return await use(client, settings);
  } finally {
    await client.connection.close();
  }
}
