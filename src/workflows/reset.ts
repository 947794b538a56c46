import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { ResetTablesResult } from '../activities';
import type { Pipeline } from '../config/pipeline-schema';
import { quick } from './activities';

export interface ResetPipelineInput {
  pipeline: Pipeline;
  /** Table names of the pipeline; all of them when empty. */
  tables: string[];
  /** Also delete every row of the tables' targets and rollups. */
  truncate: boolean;
  reason: string;
  /** user@host of whoever asked; Temporal also records the client identity in the history. */
  requestedBy: string;
}

/**
 * `etl reset`: forgets the watermark and source mark of some tables (their next run reads the source from
 * the beginning and merges by key), optionally empties their targets, in one warehouse transaction that
 * also writes an audit row to etl_state.resets. The workflow history is the second audit record.
 */
export async function resetPipelineWorkflow(input: ResetPipelineInput): Promise<ResetTablesResult> {
  const { pipeline } = input;
  const unknown = input.tables.filter((name) => !pipeline.tables.some((table) => table.name === name));
  if (unknown.length > 0) {
    const known = pipeline.tables.map((table) => table.name).join(', ');
    throw ApplicationFailure.nonRetryable(`pipeline ${pipeline.name} has no table ${unknown.join(', ')} (tables: ${known})`, 'TableMissing');
  }
  const chosen = pipeline.tables.filter((table) => input.tables.length === 0 || input.tables.includes(table.name));
  const reset = {
    pipeline: pipeline.name,
    tables: chosen.map((table) => ({ name: table.name, targets: [table.target, ...table.rollups.map((rollup) => rollup.target)] })),
    truncate: input.truncate,
    requestedBy: input.requestedBy,
    reason: input.reason,
    runId: workflowInfo().workflowId,
  };
  const { warehouse } = pipeline;
  const summary = { summary: `reset ${reset.tables.map((table) => table.name).join(', ')}${input.truncate ? ' and empty their targets' : ''} (${pipeline.name})` };
  return warehouse.type === 'redshift' ? quick.resetRedshiftState.executeWithOptions(summary, [{ ...reset, warehouse }]) : quick.resetPostgresState.executeWithOptions(summary, [reset]);
}
