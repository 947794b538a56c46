export { nightlyEtlWorkflow, type NightlyEtlInput } from './nightly-etl';
export { preflightWorkflow, type PreflightInput, type PreflightSummary } from './preflight';
export type { ReplicationSummary, RunManifest, TableRunResult } from './results';
export { tableEtlWorkflow, type TableEtlInput } from './table-etl';
export { progressQuery, replicationWorkflow, stopSignal, type LagAlert, type ReplicationStatus, type ReplicationWorkflowInput } from './replication';
export { resetPipelineWorkflow, type ResetPipelineInput } from './reset';
export { reprocessPipelineWorkflow, type ReprocessPipelineInput, type ReprocessSummary } from './reprocess';
export { reprocessDayWorkflow, type ReprocessDayInput } from './reprocess-day';
