import { loadSettings } from '../../src/config/settings';
import { downStack } from '../../src/dev/stack';

export default async function globalTeardown(): Promise<void> {
  const only = globalThis.etlStartedServices ?? [];
  globalThis.etlStartedServices = [];
  if (only.length > 0) await downStack({ settings: loadSettings(), only });
}
