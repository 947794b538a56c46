import { Option, type Command } from 'commander';
import { replicationModes } from '../config/replication-modes';
import type { ReplicateOptions } from './replication-actions';

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
    .action(async (file: string, options: ReplicateOptions) => (await import('./replication-actions.js')).replicatePipelineFile(file, options));
}
