import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { silenceAwsNodeVersionNotice } from '../../src/common/runtime';
import { loadSettings } from '../../src/config/settings';
import { upStack, type ServiceName } from '../../src/dev/stack';
import { writeWorkflowBundle } from '../../src/workers/workflow-bundle';

declare global {
  var etlStartedServices: ServiceName[] | undefined;
}

/**
 * Brings up whatever part of the local stack is not already running (teardown stops only that part), and
 * bundles the workflows once: every test file's workers and worker processes load that file
 * (ETL_WORKFLOW_BUNDLE) instead of bundling again. It also brings dist/ up to date, as `npm run etl` and
 * `npm run worker` would on their first call: the tests run those, compiled, as users do.
 */
export default async function globalSetup(): Promise<void> {
  silenceAwsNodeVersionNotice();
  const settings = loadSettings();
  const bundle = join(settings.stateDir, 'test-workflow-bundle.js');
  const [started] = await Promise.all([
    upStack({ settings, log: (message) => process.stderr.write(`[stack] ${message}\n`) }),
    writeWorkflowBundle({ file: bundle }),
    buildDist(),
  ]);
  process.env.ETL_WORKFLOW_BUNDLE = bundle;
  globalThis.etlStartedServices = [...(globalThis.etlStartedServices ?? []), ...started];
}

/** `node bin/run-dist.cjs` without an entry point: builds dist/ when it is older than src/. */
function buildDist(): Promise<void> {
  return new Promise((resolve, reject) => {
    const build = spawn(process.execPath, ['bin/run-dist.cjs'], { stdio: ['ignore', 'inherit', 'inherit'] });
    build.on('error', reject);
    build.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`building dist/ failed (exit ${code})`))));
  });
}
