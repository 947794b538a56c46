import { loadPipeline } from '../config';
import type { ReplicationMode } from '../config/replication-modes';
import { formatReplicationStatus, queryReplication, startReplication, stopReplication } from './replication';
import { webUiUrl } from './web-ui';
import { withClient } from './with-client';

export interface ReplicateOptions {
  mode?: ReplicationMode;
  progress?: boolean;
  stop?: boolean;
  id?: string;
}

/** `etl replicate <file>`: starts the pipeline's replication on its own, shows its progress, or stops it. */
export async function replicatePipelineFile(file: string, options: ReplicateOptions): Promise<void> {
  const pipeline = await loadPipeline({ file });
  await withClient(async (client, settings) => {
    if (options.progress && !options.stop) {
      const progress = await queryReplication({ client, pipeline, workflowId: options.id });
      console.log(`replication run ${progress.workflowId}`);
      for (const line of formatReplicationStatus(progress)) console.log(line);
      return;
    }
    if (options.stop) {
      for (const line of formatReplicationStatus(await stopReplication({ client, settings, pipeline }))) console.log(line);
      return;
    }
    const handle = await startReplication({ client, settings, pipeline, mode: options.mode });
    console.log(`started ${handle.workflowId}\nWeb UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
  }, { startsRuns: true });
}
