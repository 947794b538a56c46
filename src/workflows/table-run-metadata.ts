import type { SearchAttributePair } from '@temporalio/common';
import type { ExtractPlan } from '../activities';
import { ETL_PIPELINE, ETL_RUN_DATE, ETL_TABLE } from '../common/search-attributes';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import type { RunInterval } from './run-date';

/** What the Web UI shows on a table's child workflow without a click: its summary, details and search attributes. */
export interface TableRunMetadata {
  staticSummary: string;
  staticDetails: string;
  typedSearchAttributes: SearchAttributePair[];
}

/**
 * Names the pipeline, table, run date and interval in the child's one-line summary (the Web UI's bar label),
 * with the source, target, mode, window and the tables its load waits for in its details (markdown);
 * EtlPipeline, EtlRunDate and EtlTable find it in `temporal workflow list --query`.
 */
export function describeTableRun(input: { pipeline: Pipeline; table: TableSpec; runDate: string; interval: RunInterval; plan?: ExtractPlan; waitFor: string[] }): TableRunMetadata {
  const { pipeline, table, plan } = input;
  const window = plan?.window ? `${plan.window.from ?? 'the beginning'} → ${plan.window.to ?? 'now'}` : 'whole table';
  const details = [
    `**pipeline** ${pipeline.name} · **table** ${table.name} · **run date** ${input.runDate}`,
    `**interval** ${input.interval.start ?? 'the beginning (ad hoc)'} → ${input.interval.end} (${input.interval.timeZone})`,
    `**source** ${table.source} → **target** ${table.target} · **mode** ${table.mode}`,
    `**watermark window** ${window} · **planned rows** ${plan?.sourceRows ?? 'unknown'}`,
    ...(input.waitFor.length > 0 ? [`**loads after** ${input.waitFor.join(', ')}`] : []),
  ];
  return {
    staticSummary: `${pipeline.name} · ${table.name} · ${input.runDate} (${table.mode}, ${plan?.sourceRows ?? '?'} rows planned)`,
    staticDetails: details.join('\n\n'),
    typedSearchAttributes: [
      { key: ETL_PIPELINE, value: pipeline.name },
      { key: ETL_RUN_DATE, value: input.runDate },
      { key: ETL_TABLE, value: table.name },
    ],
  };
}
