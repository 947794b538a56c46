import { createDuckdbActivities, type DuckdbDeps } from './duckdb';
import { createPostgresActivities, type PostgresDeps } from './postgres';
import { createS3Activities, type S3Deps } from './s3';

/** The clients a worker builds once and hands to every activity module. */
export type ActivityDeps = PostgresDeps & S3Deps & DuckdbDeps;

/** All activities, one module per external system; workflows import only the type of this. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPostgresActivities(deps),
    ...createS3Activities(deps),
    ...createDuckdbActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { DatabaseRole, ServerVersion } from './postgres';
export type { ObjectRoundTrip } from './s3';
export type { ParquetRoundTrip } from './duckdb';
