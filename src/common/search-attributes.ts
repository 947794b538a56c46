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

export const ETL_SEARCH_ATTRIBUTES = [ETL_PIPELINE, ETL_RUN_DATE, ETL_STATUS, ETL_TABLE] as const;

/** Set by the server on workflows a schedule starts: the time the schedule fired for (backfills included). */
export const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export type RunStatus = 'running' | 'paused' | 'succeeded' | 'failed' | 'cancelled';
