import { randomUUID } from 'node:crypto';
import { loadSettings, type Settings } from '../../src/config/settings';
import { buildClients } from '../../src/workers/clients';

/** Settings for the local stack the global setup brought up, with a task queue of the test's own. */
export function testSettings(): Settings {
  const settings = loadSettings();
  return { ...settings, temporal: { ...settings.temporal, taskQueue: `test-${randomUUID()}` } };
}

export function testClients(settings: Settings = testSettings()) {
  return buildClients({ settings, duckdb: { threads: 1, memoryLimit: '256MB' } });
}
