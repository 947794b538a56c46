import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createLogger } from '../common/logger';
import { silenceAwsNodeVersionNotice } from '../common/runtime';
import { LOCAL_STACK, loadSettings, resolveSettingsSecrets } from '../config';
import { buildClients, closeClients } from './clients';
import { createEtlWorker } from './create-worker';
import { installRuntime } from './runtime';
import { connectWorker } from './temporal-connection';

/**
 * The worker process: connects, registers workflows and activities, and runs until SIGINT or SIGTERM, when
 * the SDK stops polling, lets running activities finish (or be cancelled) and returns; clients close last.
 */
async function main(): Promise<void> {
  silenceAwsNodeVersionNotice();
  const envSettings = loadSettings();
  const log = createLogger({ level: envSettings.logLevel, bindings: { component: 'worker' }, logDir: envSettings.logDir });
  const settings = await resolveSettingsSecrets({ settings: envSettings, secretsManager: () => new SecretsManagerClient({}) });
  const { host, port } = settings.metrics;
  installRuntime({ logger: log, metrics: { host, port: port ?? LOCAL_STACK.workerMetricsPort, fallback: port === undefined } });
  const connection = await connectWorker(settings);
  const deps = await buildClients({ settings });
  try {
    const worker = await createEtlWorker({ connection, settings, deps });
    log.info({ address: settings.temporal.address, taskQueue: settings.temporal.taskQueue }, 'worker started');
    await worker.run();
    log.info('worker stopped');
  } finally {
    await closeClients(deps);
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
