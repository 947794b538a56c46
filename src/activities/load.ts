import type { ExtractDeps } from '../connectors/sources/postgres/extract';
import { createPostgresTarget } from '../connectors/targets/postgres/load';
import { createRedshiftTarget, type RedshiftDeps, type RedshiftLoadInput } from '../connectors/targets/redshift/load';
import type { RedshiftWarehouse } from '../connectors/targets/redshift/statements';
import type { LoadTableInput, ReadWatermarkInput, ResetTablesInput } from '../connectors/targets/types';

/** The load activities, one pair per warehouse target (their names are in recorded histories, so they stay). */
export function createLoadActivities(deps: ExtractDeps & RedshiftDeps) {
  const postgres = createPostgresTarget(deps);
  const redshift = createRedshiftTarget(deps);
  return {
    /** The watermark saved by the last committed load of a table into the Postgres warehouse, if any. */
    readPostgresWatermark: (input: ReadWatermarkInput) => postgres.readWatermark(input),
    /** One Postgres transaction: stage, apply, rollups, watermark; commits only if it reconciles. */
    loadIntoPostgres: (input: LoadTableInput) => postgres.load(input),
    /** The watermark saved by the last committed Redshift load; none before the first load created etl_state. */
    readRedshiftWatermark: (input: ReadWatermarkInput & { warehouse: RedshiftWarehouse }) => redshift.readWatermark(input),
    /** One Redshift Data API batch (one transaction) that commits only if it reconciles. */
    loadIntoRedshift: (input: RedshiftLoadInput) => redshift.load(input),
    /** `etl reset` on the Postgres warehouse: forget tables' state (optionally empty their targets), audited. */
    resetPostgresState: (input: ResetTablesInput) => postgres.reset(input),
    /** `etl reset` on Redshift, in one Data API batch. */
    resetRedshiftState: (input: ResetTablesInput & { warehouse: RedshiftWarehouse }) => redshift.reset(input),
  };
}
