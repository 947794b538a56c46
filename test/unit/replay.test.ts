import { readFile } from 'node:fs/promises';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/workers/create-worker';

/**
 * Histories recorded from real runs (temporal workflow show --output json) replayed against the current
 * workflow code: a change that would break runs already in flight fails here, before it ships.
 * Re-record after an intended, versioned change (see README, Development).
 */
const FIXTURES = [
  { file: 'test/fixtures/nightly-etl.history.json', workflowId: 'demo-2026-11-23-20261123T134111' },
  { file: 'test/fixtures/table-etl-sales.history.json', workflowId: 'demo-2026-11-23-20261123T134111.sales' },
];

describe('replaying recorded histories', () => {
  it.each(FIXTURES)('replays $file deterministically', async ({ file, workflowId }) => {
    const history: unknown = JSON.parse(await readFile(file, 'utf8'));
    await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, workflowId)).resolves.toBeUndefined();
  });
});
