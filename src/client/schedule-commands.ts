import type { Command } from 'commander';
import type { ScheduleAction } from './schedule-actions';

const actions = () => import('./schedule-actions.js');

function scheduleCommand(parent: Command, name: ScheduleAction, description: string): Command {
  return parent
    .command(name)
    .argument('<scheduleId|pipeline.yaml>', 'the schedule id (etl-<pipeline>) or the pipeline file')
    .description(description)
    .action(async (target: string, options: Record<string, string>) => (await actions()).runScheduleAction(name, target, options));
}

/** `etl schedule create|list|describe|pause|unpause|trigger|backfill|delete`: Temporal Schedules instead of cron. */
export function addScheduleCommands(program: Command): void {
  const schedule = program.command('schedule').description('nightly runs by Temporal Schedules (cron, time zone and policies from the pipeline file)');
  schedule
    .command('create')
    .argument('<pipeline.yaml>', 'pipeline file with a schedule section')
    .description('create the pipeline\'s schedule, or update it when it exists')
    .action(async (file: string) => (await actions()).createSchedule(file));
  schedule
    .command('list')
    .description('list schedules: id, state, next run')
    .action(async () => (await actions()).listSchedules());
  scheduleCommand(schedule, 'describe', 'show a schedule: cron, policies, next and recent runs');
  scheduleCommand(schedule, 'pause', 'pause a schedule: no new runs start until unpause').option('--note <text>', 'why it is paused (shown by describe and in the Web UI)');
  scheduleCommand(schedule, 'unpause', 'resume a paused schedule');
  scheduleCommand(schedule, 'trigger', 'start a run now (run date: today in the schedule\'s time zone)');
  scheduleCommand(schedule, 'backfill', 'run every day from --from to --to (inclusive), in order, each with its own run date')
    .requiredOption('--from <YYYY-MM-DD>', 'first day')
    .requiredOption('--to <YYYY-MM-DD>', 'last day');
  scheduleCommand(schedule, 'delete', 'delete a schedule (runs it started are not affected)');
}
