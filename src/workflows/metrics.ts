import { metricMeter } from '@temporalio/workflow';
import { ETL_METRICS } from '../common/metric-names';

/**
 * The run's metrics, emitted from workflow code through the SDK's metric meter: the worker's Runtime
 * exports them beside its own on one Prometheus endpoint. The SDK skips them while replaying, so each
 * value is counted once per run, and they add no commands to the history.
 * Names after the seed's CloudWatch metrics: RecordsProcessed, PipelineDuration, ErrorCount, DataQualityScore.
 */
export type Stage = 'extract' | 'transform' | 'rejected' | 'load';

/** etl_records_processed_total{pipeline,table,stage}: rows through each stage of a table. */
export function countRecords(input: { pipeline: string; table: string; stage: Stage; rows: number }): void {
  metricMeter
    .createCounter(ETL_METRICS.recordsProcessed.name, 'rows', 'Rows through each stage (extract, transform, rejected, load) per pipeline and table')
    .add(input.rows, { pipeline: input.pipeline, table: input.table, stage: input.stage });
}

/** etl_data_quality_score{pipeline,table}: share of extracted rows passing every rule, in the latest run. */
export function setQualityScore(input: { pipeline: string; table: string; score: number }): void {
  metricMeter
    .createGauge(ETL_METRICS.dataQualityScore.name, 'float', '', 'Share of extracted rows that passed every rule, latest run, per pipeline and table')
    .set(input.score, { pipeline: input.pipeline, table: input.table });
}

/** etl_pipeline_duration_seconds{pipeline,status}: seconds per run, succeeded, failed or cancelled. */
export function recordRunDuration(input: { pipeline: string; status: 'succeeded' | 'failed' | 'cancelled'; seconds: number }): void {
  metricMeter
    .createHistogram(ETL_METRICS.pipelineDuration.name, 'float', 's', 'Seconds per pipeline run, by outcome')
    .record(input.seconds, { pipeline: input.pipeline, status: input.status });
}

/** etl_table_duration_seconds{pipeline,table}: seconds per table (extract through load). */
export function recordTableDuration(input: { pipeline: string; table: string; seconds: number }): void {
  metricMeter
    .createHistogram(ETL_METRICS.tableDuration.name, 'float', 's', 'Seconds per table, extract through load')
    .record(input.seconds, { pipeline: input.pipeline, table: input.table });
}

/** etl_errors_total{pipeline,table,type}: failed runs, by the table that failed ('' for none) and failure type. */
export function countError(input: { pipeline: string; table?: string; type: string }): void {
  metricMeter
    .createCounter(ETL_METRICS.errors.name, 'failures', 'Failed pipeline runs, by failing table and failure type')
    .add(1, { pipeline: input.pipeline, table: input.table ?? '', type: input.type });
}
