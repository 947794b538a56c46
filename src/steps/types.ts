import type { DatabaseStep, StepDatabase } from '../config/steps-schema';
import type { RedshiftWarehouse } from '../connectors/targets/redshift/statements';
import { buildCall, parseCall } from './call';

/** What one database step did, as the run manifest lists it. */
export interface StepResult {
  name: string;
  on: StepDatabase;
  /** Rows the statement reported as affected; null when the database reports none (a CALL on Postgres). */
  rows: number | null;
  seconds: number;
}

/** One step activity's input: the pipeline's name (for errors) and the step as validated. */
export interface RunStepInput {
  pipeline: string;
  /** The run's workflow id: a Redshift retry reuses the statement its ClientToken derives from. */
  runId: string;
  step: DatabaseStep;
}

/** The Redshift step activity's input: the step and the warehouse it runs on. */
export type RunRedshiftStepInput = RunStepInput & { warehouse: RedshiftWarehouse };

/** The statement a step runs: its CALL (procedure quoted, literals as written) or its SQL file's text as written. */
export function stepStatement(step: DatabaseStep): string {
  if (step.call !== undefined) {
    const parsed = parseCall(step.call);
    if (!parsed.call) throw new Error(`step ${step.name}: call: ${parsed.problem}`);
    return buildCall(parsed.call);
  }
  return step.query ?? '';
}

/** How errors name a step: pipeline, step, database and what it runs. */
export function describeStep(input: RunStepInput): string {
  const what = input.step.call !== undefined ? `call ${input.step.call.replace(/\(.*$/s, '(…)')}` : `sql ${input.step.sql ?? ''}`;
  return `pipeline ${input.pipeline}, step ${input.step.name} (on ${input.step.on}, ${what})`;
}
