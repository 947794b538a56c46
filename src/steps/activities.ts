import type { Pool } from 'pg';
import type { DatabaseRole } from '../activities/postgres';
import type { RedshiftDeps } from '../connectors/targets/redshift/load';
import { runPostgresStep } from './postgres';
import { runRedshiftStep } from './redshift';
import type { RunRedshiftStepInput, RunStepInput } from './types';

/** The database step activities: one per kind of database a step can run on. */
export function createStepActivities(deps: { pools: Record<DatabaseRole, Pool> } & RedshiftDeps) {
  return {
    /** Runs a pipeline step (a CALL or the author's SQL) on a Postgres database, with its timeout and cancellation. */
    runPostgresStep: (input: RunStepInput) => runPostgresStep(deps, input),
    /** Runs a pipeline step on Redshift through the Data API, with its timeout and cancellation. */
    runRedshiftStep: (input: RunRedshiftStepInput) => runRedshiftStep(deps, input),
  };
}
