import { silenceAwsNodeVersionNotice } from '../../src/common/runtime';
import { loadSettings } from '../../src/config/settings';
import { upStack, type ServiceName } from '../../src/dev/stack';

declare global {
  var etlStartedServices: ServiceName[] | undefined;
}

/** Brings up whatever part of the local stack is not already running; teardown stops only that part. */
export default async function globalSetup(): Promise<void> {
  silenceAwsNodeVersionNotice();
  const started = await upStack({ settings: loadSettings(), log: (message) => process.stderr.write(`[stack] ${message}\n`) });
  globalThis.etlStartedServices = [...(globalThis.etlStartedServices ?? []), ...started];
}
