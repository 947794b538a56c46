import { createAlertActivities, type AlertDeps } from './alerts';
import { createDmsActivities, type DmsDeps } from '../replication/dms/activities';
import { createDuckdbActivities, type DuckdbDeps } from './duckdb';
import { createExtractActivities } from './extract';
import { createLoadActivities } from './load';
import { createPostgresActivities, type PostgresDeps } from './postgres';
import type { RedshiftDeps } from '../connectors/targets/redshift/load';
import { createPostgresReplicationActivities, type PostgresReplicationDeps } from '../replication/postgres/activities';
import { createS3Activities, type S3Deps } from './s3';
import { createLakeRunActivities } from './lake-runs';
import { createRunCancellationActivities } from './run-cancellation';
import { createWithdrawnKeysActivities } from './withdrawn-keys';
import { createTransformActivities } from '../transform/transform';
import { createTransformCheckActivities, type ReadTargetColumns } from '../transform/check';
import { createPostgresTarget } from '../connectors/targets/postgres/load';
import { createRedshiftTarget } from '../connectors/targets/redshift/load';
import type { ReadFileBookmarks } from '../connectors/sources/files/plan';
import { createStepActivities } from '../steps/activities';
import { createPlanTablesActivities } from './plan-tables';

/** The clients a worker builds once and hands to every activity module. */
export type ActivityDeps = PostgresDeps & S3Deps & DuckdbDeps & RedshiftDeps & AlertDeps & PostgresReplicationDeps & DmsDeps;

/** Reads a target's columns from whichever warehouse the pipeline names. */
function createTargetColumnsReader(deps: ActivityDeps): ReadTargetColumns {
  const postgres = createPostgresTarget(deps);
  const redshift = createRedshiftTarget(deps);
  return ({ warehouse, ...input }) => (warehouse.type === 'redshift' ? redshift.readColumns({ ...input, warehouse }) : postgres.readColumns(input));
}

/** Reads a files table's bookmarks from whichever warehouse the pipeline names. */
function createBookmarksReader(deps: ActivityDeps): ReadFileBookmarks {
  const postgres = createPostgresTarget(deps);
  const redshift = createRedshiftTarget(deps);
  return ({ warehouse, ...input }) => (warehouse?.type === 'redshift' ? redshift.readFileBookmarks({ ...input, warehouse }) : postgres.readFileBookmarks(input));
}

/** All activities, one module per external system; workflows import only the type of this. */
export function createActivities(deps: ActivityDeps) {
  const extract = createExtractActivities({ ...deps, readFileBookmarks: createBookmarksReader(deps) });
  const check = createTransformCheckActivities({ ...deps, readTargetColumns: createTargetColumnsReader(deps) });
  const load = createLoadActivities(deps);
  return {
    ...createPostgresActivities(deps),
    ...createS3Activities(deps),
    ...createLakeRunActivities(deps),
    ...createWithdrawnKeysActivities(deps),
    ...createDuckdbActivities(deps),
    ...extract,
    ...check,
    ...createPlanTablesActivities({ ...extract, ...check, ...load }),
    ...createTransformActivities(deps),
    ...load,
    ...createAlertActivities(deps),
    ...createPostgresReplicationActivities(deps),
    ...createDmsActivities(deps),
    ...createStepActivities(deps),
    ...createRunCancellationActivities(),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { DatabaseRole, ServerVersion } from './postgres';
export type { ObjectRoundTrip } from './s3';
export type { RawTableRun } from './lake-runs';
export type { WithdrawnKeys } from './withdrawn-keys';
export type { ParquetRoundTrip } from './duckdb';
export type { RunRedshiftStepInput, RunStepInput, StepResult } from '../steps/types';
export type { ExtractPlan, ExtractResult } from '../connectors/sources/types';
export type { TransformInput, TransformResult } from '../transform/transform';
export type { PlannedTable } from './plan-tables';
export type { LoadTableInput, LoadTableResult, ResetTablesResult, SavedState } from '../connectors/targets/types';
export type { LakeTarget } from '../runtime/lake';
export type { Alert, AlertKind } from './alert-messages';
export type { ReplicationProgress, ReplicationStart, ReplicationState, TableProgress } from '../replication/types';
