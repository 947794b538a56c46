import { existsSync } from 'node:fs';
import type { Client, ScheduleDescription } from '@temporalio/client';
import type { Command } from 'commander';
import { loadPipeline } from '../config';
import { backfillSchedule, createOrUpdateSchedule, scheduleIdOf } from './schedules';
import { withClient } from './with-client';

/** A schedule id, or the pipeline file whose schedule is meant. */
async function resolveScheduleId(target: string): Promise<string> {
  return /\.ya?ml$/.test(target) && existsSync(target) ? scheduleIdOf(await loadPipeline({ file: target })) : target;
}

const when = (date: Date | undefined) => (date ? date.toISOString().replace('.000Z', 'Z') : '-');

function describeLines(description: ScheduleDescription): string[] {
  const memo = (description.memo ?? {}) as { cron?: string; timezone?: string };
  const { state, info, policies } = description;
  // The action's memo is replaced on every `etl schedule create`, so it names the version the next run uses.
  const about = (description.action.type === 'startWorkflow' ? (description.action.memo ?? {}) : {}) as { pipeline?: string; pipelineHash?: string };
  return [
    `schedule ${description.scheduleId}: ${state.paused ? `paused${state.note ? ` (${state.note})` : ''}` : 'active'}`,
    `  cron          ${memo.cron ?? '(not created by etl)'} in ${description.spec.timezone ?? memo.timezone ?? 'UTC'}`,
    `  pipeline      ${about.pipeline ?? '-'} (${about.pipelineHash ?? 'no hash: created before etl recorded one'})`,
    `  starts        ${description.action.workflowType} as ${description.action.workflowId ?? '-'}-<scheduled time> on ${description.action.taskQueue}`,
    `  policies      overlap ${(policies.overlap ?? 'SKIP').toLowerCase()}, catch-up window ${policies.catchupWindow / 1000} s, pause on failure ${policies.pauseOnFailure}`,
    `  next runs     ${info.nextActionTimes.slice(0, 3).map(when).join(', ') || '-'}`,
    `  actions       ${info.numActionsTaken} taken, ${info.numActionsSkippedOverlap} skipped (overlap), ${info.numActionsMissedCatchupWindow} missed (catch-up window)`,
    `  running       ${info.runningActions.map((action) => action.workflow.workflowId).join(', ') || '-'}`,
    ...info.recentActions.map((action) => `  recent        ${when(action.scheduledAt)} → ${action.action.workflow.workflowId}`),
  ];
}

function scheduleCommand(parent: Command, name: string, description: string, run: (client: Client, scheduleId: string, options: Record<string, string>) => Promise<void>): Command {
  return parent
    .command(name)
    .argument('<scheduleId|pipeline.yaml>', 'the schedule id (etl-<pipeline>) or the pipeline file')
    .description(description)
    .action(async (target: string, options: Record<string, string>) => {
      const scheduleId = await resolveScheduleId(target);
      await withClient((client) => run(client, scheduleId, options));
    });
}

/** `etl schedule create|list|describe|pause|unpause|trigger|backfill|delete`: Temporal Schedules instead of cron. */
export function addScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('nightly runs by Temporal Schedules (cron, time zone and policies from the pipeline file)');
  schedule
    .command('create')
    .argument('<pipeline.yaml>', 'pipeline file with a schedule section')
    .description('create the pipeline\'s schedule, or update it when it exists')
    .action(async (file: string) => {
      const pipeline = await loadPipeline({ file });
      await withClient(async (client, settings) => {
        const { handle, created } = await createOrUpdateSchedule({ client, pipeline, settings });
        console.log(`${created ? 'created' : 'updated'} schedule ${handle.scheduleId}`);
        for (const line of describeLines(await handle.describe())) console.log(line);
      }, { startsRuns: true });
    });
  schedule
    .command('list')
    .description('list schedules: id, state, next run')
    .action(() =>
      withClient(async (client) => {
        for await (const summary of client.schedule.list()) {
          const memo = (summary.memo ?? {}) as { cron?: string; timezone?: string };
          const cron = memo.cron ? `${memo.cron} ${memo.timezone ?? 'UTC'}` : '-';
          console.log(`${summary.scheduleId.padEnd(28)}${(summary.state.paused ? 'paused' : 'active').padEnd(8)}${cron.padEnd(24)}next ${when(summary.info.nextActionTimes[0])}`);
        }
      }),
    );
  scheduleCommand(schedule, 'describe', 'show a schedule: cron, policies, next and recent runs', async (client, id) => {
    for (const line of describeLines(await client.schedule.getHandle(id).describe())) console.log(line);
  });
  scheduleCommand(schedule, 'pause', 'pause a schedule: no new runs start until unpause', async (client, id, options) => {
    await client.schedule.getHandle(id).pause(options.note ?? 'paused with etl schedule pause');
    console.log(`paused schedule ${id}`);
  }).option('--note <text>', 'why it is paused (shown by describe and in the Web UI)');
  scheduleCommand(schedule, 'unpause', 'resume a paused schedule', async (client, id) => {
    await client.schedule.getHandle(id).unpause();
    console.log(`unpaused schedule ${id}`);
  });
  scheduleCommand(schedule, 'trigger', 'start a run now (run date: today in the schedule\'s time zone)', async (client, id) => {
    await client.schedule.getHandle(id).trigger();
    console.log(`triggered schedule ${id}; etl schedule describe ${id} shows the run`);
  });
  scheduleCommand(schedule, 'backfill', 'run every day from --from to --to (inclusive), in order, each with its own run date', async (client, id, options) => {
    const handle = client.schedule.getHandle(id);
    const timezone = (await handle.describe()).spec.timezone ?? 'UTC';
    const { start, end } = await backfillSchedule({ handle, from: options.from ?? '', to: options.to ?? '', timezone });
    console.log(`backfilling schedule ${id} from ${when(start)} to ${when(end)} (${timezone}); runs start one after the other`);
  })
    .requiredOption('--from <YYYY-MM-DD>', 'first day')
    .requiredOption('--to <YYYY-MM-DD>', 'last day');
  scheduleCommand(schedule, 'delete', 'delete a schedule (runs it started are not affected)', async (client, id) => {
    await client.schedule.getHandle(id).delete();
    console.log(`deleted schedule ${id}`);
  });
}
