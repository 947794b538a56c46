import { existsSync } from 'node:fs';
import type { Client, ScheduleDescription } from '@temporalio/client';
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

/** `etl schedule create <file>`: creates the pipeline's schedule or updates it, then describes it. */
export async function createSchedule(file: string): Promise<void> {
  const pipeline = await loadPipeline({ file });
  await withClient(async (client, settings) => {
    const { handle, created } = await createOrUpdateSchedule({ client, pipeline, settings });
    console.log(`${created ? 'created' : 'updated'} schedule ${handle.scheduleId}`);
    for (const line of describeLines(await handle.describe())) console.log(line);
  }, { startsRuns: true });
}

/** `etl schedule list`: id, state, cron and next run of every schedule. */
export function listSchedules(): Promise<void> {
  return withClient(async (client) => {
    for await (const summary of client.schedule.list()) {
      const memo = (summary.memo ?? {}) as { cron?: string; timezone?: string };
      const cron = memo.cron ? `${memo.cron} ${memo.timezone ?? 'UTC'}` : '-';
      console.log(`${summary.scheduleId.padEnd(28)}${(summary.state.paused ? 'paused' : 'active').padEnd(8)}${cron.padEnd(24)}next ${when(summary.info.nextActionTimes[0])}`);
    }
  });
}

export type ScheduleAction = 'describe' | 'pause' | 'unpause' | 'trigger' | 'backfill' | 'delete';

const RUN: Record<ScheduleAction, (client: Client, id: string, options: Record<string, string>) => Promise<void>> = {
  async describe(client, id) {
    for (const line of describeLines(await client.schedule.getHandle(id).describe())) console.log(line);
  },
  async pause(client, id, options) {
    await client.schedule.getHandle(id).pause(options.note ?? 'paused with etl schedule pause');
    console.log(`paused schedule ${id}`);
  },
  async unpause(client, id) {
    await client.schedule.getHandle(id).unpause();
    console.log(`unpaused schedule ${id}`);
  },
  async trigger(client, id) {
    await client.schedule.getHandle(id).trigger();
    console.log(`triggered schedule ${id}; etl schedule describe ${id} shows the run`);
  },
  async backfill(client, id, options) {
    const handle = client.schedule.getHandle(id);
    const timezone = (await handle.describe()).spec.timezone ?? 'UTC';
    const { start, end } = await backfillSchedule({ handle, from: options.from ?? '', to: options.to ?? '', timezone });
    console.log(`backfilling schedule ${id} from ${when(start)} to ${when(end)} (${timezone}); runs start one after the other`);
  },
  async delete(client, id) {
    await client.schedule.getHandle(id).delete();
    console.log(`deleted schedule ${id}`);
  },
};

/** `etl schedule <action> <id|file>`: one action on one schedule. */
export async function runScheduleAction(action: ScheduleAction, target: string, options: Record<string, string>): Promise<void> {
  const scheduleId = await resolveScheduleId(target);
  await withClient((client) => RUN[action](client, scheduleId, options));
}
