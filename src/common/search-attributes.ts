import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes of pipeline runs, so runs are found in the Web UI and with
 * `temporal workflow list --query "EtlPipeline = 'demo' AND EtlStatus = 'failed'"`.
 * They must exist on the server first (the local stack registers them; see README for other servers).
 */
export const ETL_PIPELINE = defineSearchAttributeKey('EtlPipeline', SearchAttributeType.KEYWORD);
export const ETL_RUN_DATE = defineSearchAttributeKey('EtlRunDate', SearchAttributeType.KEYWORD);
export const ETL_STATUS = defineSearchAttributeKey('EtlStatus', SearchAttributeType.KEYWORD);
/** On table workflows (with EtlPipeline and EtlRunDate): `EtlPipeline = 'demo' AND EtlTable = 'sales'`. */
export const ETL_TABLE = defineSearchAttributeKey('EtlTable', SearchAttributeType.KEYWORD);

/** The run's data interval [start, end): `EtlIntervalStart <= '2026-11-02T00:00:00Z' AND EtlIntervalEnd > …`. An ad-hoc run has no start. */
export const ETL_INTERVAL_START = defineSearchAttributeKey('EtlIntervalStart', SearchAttributeType.DATETIME);
export const ETL_INTERVAL_END = defineSearchAttributeKey('EtlIntervalEnd', SearchAttributeType.DATETIME);

export const ETL_SEARCH_ATTRIBUTES = [ETL_PIPELINE, ETL_RUN_DATE, ETL_STATUS, ETL_TABLE, ETL_INTERVAL_START, ETL_INTERVAL_END] as const;

/** A search attribute's type as `temporal server start-dev --search-attribute Name=Type` spells it. */
export function searchAttributeTypeName(key: (typeof ETL_SEARCH_ATTRIBUTES)[number]): 'Keyword' | 'Datetime' {
  return key.type === SearchAttributeType.DATETIME ? 'Datetime' : 'Keyword';
}

/** Set by the server on workflows a schedule starts: the time the schedule fired for (backfills included). */
export const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export type RunStatus = 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
