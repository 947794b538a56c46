import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ETL_PIPELINE, ETL_RUN_DATE, ETL_STATUS } from '../../src/common/search-attributes';
import { nightlyEtlWorkflow } from '../../src/workflows';
import { etl, waitFor } from '../support/commands';
import { testPipeline } from '../support/pipelines';
import { testSettings } from '../support/stack';

const settings = testSettings();

describe('status and audit after someone terminates a run', () => {
  it('etl status, etl list and etl history say terminated, by whom and why, although EtlStatus still says running', async () => {
    const connection = await Connection.connect({ address: settings.temporal.address });
    const client = new Client({ connection, namespace: settings.temporal.namespace, identity: 'oncall@ops-laptop' });
    try {
      const pipeline = `status-${randomUUID().slice(0, 8)}`;
      // No worker polls this queue: the run stays as a stuck run would, EtlStatus set to running as a run sets it.
      const handle = await client.workflow.start(nightlyEtlWorkflow, {
        taskQueue: `nobody-${randomUUID()}`,
        workflowId: `${pipeline}-2026-03-04-test`,
        args: [{ pipeline: testPipeline({ name: pipeline }), runDate: '2026-03-04' }],
        typedSearchAttributes: [
          { key: ETL_PIPELINE, value: pipeline },
          { key: ETL_RUN_DATE, value: '2026-03-04' },
          { key: ETL_STATUS, value: 'running' },
        ],
      });
      await handle.terminate('stuck behind a lock on raw.sales');

      const described = await handle.describe();
      expect(described.status.name).toBe('TERMINATED');
      expect(described.typedSearchAttributes.get(ETL_STATUS)).toBe('running');

      expect((await etl(settings, 'status', handle.workflowId)).stdout).toMatch(new RegExp(`^${handle.workflowId}: terminated$`, 'm'));
      const listed = await waitFor('the run in etl list', async () => {
        const { stdout } = await etl(settings, 'list', '--pipeline', pipeline);
        return stdout.includes(handle.workflowId) ? stdout : undefined;
      });
      expect(listed).toMatch(new RegExp(`^${handle.workflowId}\\s+terminated\\s+2026-03-04\\s`, 'm'));
      const history = await etl(settings, 'history', handle.workflowId);
      expect(history.stdout).toMatch(/\): terminated in [\d.]+ s; started .* by client oncall@ops-laptop$/m);
      expect(history.stdout).toMatch(/^ {2}terminated at \S+ \S+ by oncall@ops-laptop: stuck behind a lock on raw\.sales$/m);
    } finally {
      await connection.close();
    }
  });
});
