import { readFile } from 'node:fs/promises';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from '../../src/workers/workflow-bundle';

/**
 * Histories recorded from real runs (temporal workflow show --output json) replayed against the current
 * workflow code: a change that would break runs already in flight fails here, before it ships.
 * Re-record after an intended, versioned change (see README, Development).
 */
const FIXTURES = [
  { file: 'test/fixtures/nightly-etl.history.json', workflowId: 'demo-2026-11-23-20261123T143742' },
  { file: 'test/fixtures/table-etl-sales.history.json', workflowId: 'demo-2026-11-23-20261123T143742.sales' },
  // The sales table of a 1M bench night before and after its reference key sets were read as each table loaded
  // (patch reference-keys-as-loaded): one after another once both dimensions had loaded, then side by side.
  { file: 'test/fixtures/table-etl-sales-accepted-keys.history.json', workflowId: 'bench-33f640fe-a89b-4f61-a502-5814ebd441d0.sales' },
  { file: 'test/fixtures/table-etl-sales-keys-as-loaded.history.json', workflowId: 'bench-db765fb5-3767-45f2-85e6-d995ea78344d.sales' },
  // The demo with its replication section: the replica caught up first (child replicationWorkflow), then extracted from.
  { file: 'test/fixtures/nightly-etl-replication.history.json', workflowId: 'demo-2026-11-23-20261123T143800' },
  { file: 'test/fixtures/replication-catch-up.history.json', workflowId: 'demo-2026-11-23-20261123T143800.replication' },
];

describe('replaying recorded histories', () => {
  // One bundle of the current workflow code and its interceptors, as every worker loads it.
  let workflowBundle: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH], logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  });

  it.each(FIXTURES)('replays $file deterministically', async ({ file, workflowId }) => {
    const history: unknown = JSON.parse(await readFile(file, 'utf8'));
    await expect(Worker.runReplayHistory({ workflowBundle }, history, workflowId)).resolves.toBeUndefined();
  });
});
