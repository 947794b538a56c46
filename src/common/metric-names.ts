/** The pipeline's metrics (emitted by workflow code, src/workflows/metrics.ts): one place for their names. */
export const ETL_METRICS = {
  recordsProcessed: { name: 'etl_records_processed', kind: 'counter', labels: ['pipeline', 'table', 'stage'] },
  dataQualityScore: { name: 'etl_data_quality_score', kind: 'gauge', labels: ['pipeline', 'table'] },
  pipelineDuration: { name: 'etl_pipeline_duration_seconds', kind: 'histogram', labels: ['pipeline', 'status'] },
  tableDuration: { name: 'etl_table_duration_seconds', kind: 'histogram', labels: ['pipeline', 'table'] },
  errors: { name: 'etl_errors', kind: 'counter', labels: ['pipeline', 'table', 'type'] },
} as const;

export type EtlMetric = (typeof ETL_METRICS)[keyof typeof ETL_METRICS];

/**
 * The series names Prometheus scrapes for a metric, as the worker's exporter writes them (counters get
 * `_total`: countersTotalSuffix; histograms `_bucket`, `_sum` and `_count`).
 */
export function prometheusSeries(metric: EtlMetric): string[] {
  if (metric.kind === 'counter') return [`${metric.name}_total`];
  if (metric.kind === 'histogram') return ['_bucket', '_sum', '_count'].map((suffix) => `${metric.name}${suffix}`);
  return [metric.name];
}
