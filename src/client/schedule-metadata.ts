import { createHash } from 'node:crypto';
import type { Pipeline } from '../config/pipeline-schema';
import type { ScheduleSpec } from '../config/schedule-schema';

/** A short hash of the normalized pipeline (keys sorted), so a schedule shows which version of the file it runs. */
export function hashPipeline(pipeline: Pipeline): string {
  const canonical = JSON.stringify(pipeline, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) : value,
  );
  return `sha256:${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}

/** The summary and details of the runs a schedule starts: pipeline, cron, time zone, file hash and tables. */
export function describeScheduledRun(input: { pipeline: Pipeline; schedule: ScheduleSpec; pipelineHash: string }): { staticSummary: string; staticDetails: string } {
  const { pipeline, schedule } = input;
  return {
    staticSummary: `${pipeline.name} nightly run · cron ${schedule.cron} (${schedule.timezone}) · pipeline ${input.pipelineHash}`,
    staticDetails: [
      `**pipeline** ${pipeline.name} (${input.pipelineHash}) · **cron** \`${schedule.cron}\` in ${schedule.timezone}`,
      `**tables** ${pipeline.tables.map((table) => `${table.name} (${table.source} → ${table.target})`).join(', ')}`,
      `**warehouse** ${pipeline.warehouse.type} · **overlap** ${schedule.overlap}`,
    ].join('\n\n'),
  };
}
