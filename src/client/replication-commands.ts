import { Option, type Command } from 'commander';
import { loadPipeline } from '../config';
import { replicationModes, type ReplicationMode } from '../config/replication-schema';
import { formatReplicationStatus, queryReplication, startReplication, stopReplication } from './replication';
import { webUiUrl } from './web-ui';
import { withClient } from './with-client';

/** `etl replicate`: a pipeline's replication on its own (CDC runs until --stop), its progress, or stopping it. */
export function addReplicationCommands(program: Command): void {
  program
    .command('replicate')
    .argument('<pipeline.yaml>', 'pipeline file with a replication section')
    .addOption(new Option('--mode <mode>', "what to run (default: the pipeline file's mode)").choices(replicationModes))
    .option('--progress', "print the progress of the pipeline's replication (the standalone run, else the newest catch-up of a run)")
    .option('--id <workflowId>', 'with --progress: the replication run to show (default: found from the pipeline name)')
    .option('--stop', 'stop it: the subscription and slot are dropped (Postgres) or the DMS task stopped')
    .description("run the pipeline's replication on its own (CDC runs until --stop), or show or stop it")
    .action(async (file: string, options: { mode?: ReplicationMode; progress?: boolean; stop?: boolean; id?: string }) => {
      const pipeline = await loadPipeline({ file });
      await withClient(async (client, settings) => {
        if (options.progress || options.stop) {
          if (options.progress && !options.stop) {
            const progress = await queryReplication({ client, pipeline, workflowId: options.id });
            console.log(`replication run ${progress.workflowId}`);
            for (const line of formatReplicationStatus(progress)) console.log(line);
            return;
          }
          const status = await stopReplication({ client, settings, pipeline });
          for (const line of formatReplicationStatus(status)) console.log(line);
          return;
        }
        const handle = await startReplication({ client, settings, pipeline, mode: options.mode });
        console.log(`started ${handle.workflowId}\nWeb UI: ${webUiUrl({ settings, workflowId: handle.workflowId, runId: handle.firstExecutionRunId })}`);
      }, { startsRuns: true });
    });
}
