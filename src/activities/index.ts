import { createAlertActivities, type AlertDeps } from './alerts';
import { createDmsActivities, type DmsDeps } from './dms';
import { createDuckdbActivities, type DuckdbDeps } from './duckdb';
import { createExtractActivities } from './extract';
import { createExtractPlanActivities } from './extract-plan';
import { createPostgresActivities, type PostgresDeps } from './postgres';
import { createRedshiftActivities, type RedshiftDeps } from './redshift';
import { createPostgresReplicationActivities, type PostgresReplicationDeps } from './replication-postgres';
import { createS3Activities, type S3Deps } from './s3';
import { createTransformActivities } from './transform';
import { createTransformCheckActivities } from './transform-check';
import { createPostgresWarehouseActivities } from './warehouse-postgres';

/** The clients a worker builds once and hands to every activity module. */
export type ActivityDeps = PostgresDeps & S3Deps & DuckdbDeps & RedshiftDeps & AlertDeps & PostgresReplicationDeps & DmsDeps;

/** All activities, one module per external system; workflows import only the type of this. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPostgresActivities(deps),
    ...createS3Activities(deps),
    ...createDuckdbActivities(deps),
    ...createExtractPlanActivities(deps),
    ...createExtractActivities(deps),
    ...createTransformCheckActivities(deps),
    ...createTransformActivities(deps),
    ...createPostgresWarehouseActivities(deps),
    ...createRedshiftActivities(deps),
    ...createAlertActivities(deps),
    ...createPostgresReplicationActivities(deps),
    ...createDmsActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { DatabaseRole, ServerVersion } from './postgres';
export type { ObjectRoundTrip } from './s3';
export type { ParquetRoundTrip } from './duckdb';
export type { ExtractPlan, ExtractResult } from './extract';
export type { TransformResult } from './transform';
export type { LoadTableInput, LoadTableResult } from './load-types';
export type { LakeTarget } from './lake';
export type { Alert, AlertKind } from './alert-messages';
export type { ReplicationProgress, ReplicationStart, ReplicationState, TableProgress } from './replication-types';
