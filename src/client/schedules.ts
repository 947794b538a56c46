import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleHandle, type ScheduleOptions } from '@temporalio/client';
import { ETL_PIPELINE } from '../common/search-attributes';
import type { Pipeline } from '../config/pipeline-schema';
import type { OverlapPolicy, ScheduleSpec } from '../config/schedule-schema';
import type { Settings } from '../config/settings';
import { nightlyEtlWorkflow } from '../workflows';
import { nextDay, startOfDayInZone } from '../common/zoned-time';
import { describeScheduledRun, hashPipeline } from './schedule-metadata';

const OVERLAP: Record<OverlapPolicy, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

/** One schedule per pipeline: `etl-<pipeline name>`. */
export const scheduleIdOf = (pipeline: Pick<Pipeline, 'name'>) => `etl-${pipeline.name}`;

function requireSchedule(pipeline: Pipeline): ScheduleSpec {
  if (!pipeline.schedule) throw new Error(`pipeline ${pipeline.name} has no schedule section (schedule: { cron: "0 2 * * *", timezone: UTC })`);
  return pipeline.schedule;
}

/**
 * The Temporal Schedule of a pipeline: its cron in its time zone starts nightlyEtlWorkflow, which takes its
 * run date from the time the schedule fired for. The pipeline travels in the action, so edits to the file
 * take effect when the schedule is created again (which updates it).
 */
export function scheduleOptions(input: { pipeline: Pipeline; settings: Settings }): ScheduleOptions {
  const { pipeline } = input;
  const schedule = requireSchedule(pipeline);
  const pipelineHash = hashPipeline(pipeline);
  const about = { pipeline: pipeline.name, pipelineHash, cron: schedule.cron, timezone: schedule.timezone };
  return {
    scheduleId: scheduleIdOf(pipeline),
    spec: { cronExpressions: [schedule.cron], timezone: schedule.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: nightlyEtlWorkflow,
      taskQueue: input.settings.temporal.taskQueue,
      // The server appends the scheduled time: demo-scheduled-2026-11-24T02:00:00Z.
      workflowId: `${pipeline.name}-scheduled`,
      args: [{ pipeline }],
      typedSearchAttributes: [{ key: ETL_PIPELINE, value: pipeline.name }],
      // What `temporal schedule describe` and the Web UI show instead of the pipeline's base64 blob; each run keeps the memo.
      memo: about,
      ...describeScheduledRun({ pipeline, schedule, pipelineHash }),
    },
    typedSearchAttributes: [{ key: ETL_PIPELINE, value: pipeline.name }],
    policies: { overlap: OVERLAP[schedule.overlap], catchupWindow: schedule.catchupWindow, pauseOnFailure: schedule.pauseOnFailure },
    memo: about,
  };
}

/** Creates the pipeline's schedule, or updates it in place (spec, action, policies) when it exists. */
export async function createOrUpdateSchedule(input: { client: Client; pipeline: Pipeline; settings: Settings }): Promise<{ handle: ScheduleHandle; created: boolean }> {
  const options = scheduleOptions(input);
  try {
    return { handle: await input.client.schedule.create(options), created: true };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = input.client.schedule.getHandle(options.scheduleId);
    // The schedule's own memo cannot be updated; the action's memo and summary (and each run's memo) carry the new hash.
    await handle.update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies, typedSearchAttributes: options.typedSearchAttributes, state: previous.state }));
    return { handle, created: false };
  }
}

/**
 * Runs the days from..to (inclusive, in the schedule's time zone), one after the other in order (buffer-all):
 * a run covers the day before the one it fires on, so the firings are those of the day after each.
 */
export async function backfillSchedule(input: { handle: ScheduleHandle; from: string; to: string; timezone: string }): Promise<{ start: Date; end: Date }> {
  const start = new Date(startOfDayInZone(nextDay(input.from), input.timezone).getTime() - 1);
  const end = new Date(startOfDayInZone(nextDay(nextDay(input.to)), input.timezone).getTime() - 1);
  if (end <= start) throw new Error(`backfill: --to ${input.to} is before --from ${input.from}`);
  await input.handle.backfill({ start, end, overlap: ScheduleOverlapPolicy.BUFFER_ALL });
  return { start, end };
}
