import type { DatabaseRole } from './postgres';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import type { RunInterval } from '../common/run-interval';
import type { ExtractPlan, PlanExtractInput } from '../connectors/sources/types';
import type { ReadWatermarkInput, SavedState } from '../connectors/targets/types';
import type { RedshiftWarehouse } from '../connectors/targets/redshift/statements';
import type { CheckTransformInput, TransformCheck } from '../transform/check';

/** The single-table planning calls the run's one planning activity makes for every table. */
export interface TablePlanners {
  readPostgresWatermark(input: ReadWatermarkInput): Promise<SavedState>;
  readRedshiftWatermark(input: ReadWatermarkInput & { warehouse: RedshiftWarehouse }): Promise<SavedState>;
  planExtract(input: PlanExtractInput): Promise<ExtractPlan>;
  checkTransform(input: CheckTransformInput): Promise<TransformCheck>;
}

export interface PlanTablesInput {
  pipeline: Pipeline;
  database: DatabaseRole;
  interval?: RunInterval;
}

/** One table's plan: the window to extract (checked), what the last committed load saved, and whether the target exists. */
export interface PlannedTable {
  table: string;
  plan: ExtractPlan;
  saved: SavedState;
  targetExists?: boolean;
}

function readSavedState(planners: TablePlanners, pipeline: Pipeline, table: TableSpec): Promise<SavedState> {
  const { warehouse } = pipeline;
  if (table.mode === 'full-refresh') return Promise.resolve({});
  const at = { pipeline: pipeline.name, table: table.name };
  return warehouse.type === 'redshift' ? planners.readRedshiftWatermark({ ...at, warehouse }) : planners.readPostgresWatermark(at);
}

async function planTable(planners: TablePlanners, input: PlanTablesInput, table: TableSpec): Promise<PlannedTable> {
  const { pipeline } = input;
  const saved = await readSavedState(planners, pipeline, table);
  // A files table's plan reads its bookmarks in the warehouse and lists the landing prefix.
  const files = table.kind === 'files' ? { warehouse: pipeline.warehouse, lake: { bucket: pipeline.lake.bucket, prefix: pipeline.lake.prefix } } : {};
  const plan = await planners.planExtract({ pipeline: pipeline.name, table, database: input.database, since: saved.watermark, previous: saved.sourceMark, interval: input.interval, ...files });
  const checked = await planners.checkTransform({ pipeline: pipeline.name, table, sourceColumns: plan.columns, warehouse: pipeline.warehouse });
  const planned: ExtractPlan = checked.schemaChange ? { ...plan, schemaChange: checked.schemaChange } : plan;
  return { table: table.name, plan: planned, saved, targetExists: checked.targetExists };
}

/** The run's planning in one activity (one round trip instead of three per table). */
export function createPlanTablesActivities(planners: TablePlanners) {
  return {
    /**
     * Reads every table's saved watermark, checks it against the source catalog, fixes its window and compiles
     * its transform, all tables side by side; returns the per-table plans (references and counts, no rows).
     */
    async planTables(input: PlanTablesInput): Promise<{ tables: PlannedTable[] }> {
      return { tables: await Promise.all(input.pipeline.tables.map((table) => planTable(planners, input, table))) };
    },
  };
}
