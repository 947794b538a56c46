import { readFile } from 'node:fs/promises';
import { Worker } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from '../../src/workers/create-worker';

/**
 * Histories recorded from real runs (temporal workflow show --output json) replayed against the current
 * workflow code: a change that would break runs already in flight fails here, before it ships.
 * Re-record after an intended, versioned change (see README, Development).
 */
const FIXTURES = [
  { file: 'test/fixtures/nightly-etl.history.json', workflowId: 'demo-2026-11-23-20261123T143742' },
  { file: 'test/fixtures/table-etl-sales.history.json', workflowId: 'demo-2026-11-23-20261123T143742.sales' },
  // The demo with its replication section: the replica caught up first (child replicationWorkflow), then extracted from.
  { file: 'test/fixtures/nightly-etl-replication.history.json', workflowId: 'demo-2026-11-23-20261123T143800' },
  { file: 'test/fixtures/replication-catch-up.history.json', workflowId: 'demo-2026-11-23-20261123T143800.replication' },
];

describe('replaying recorded histories', () => {
  it.each(FIXTURES)('replays $file deterministically', async ({ file, workflowId }) => {
    const history: unknown = JSON.parse(await readFile(file, 'utf8'));
    await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] } }, history, workflowId)).resolves.toBeUndefined();
  });
});
