import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities, ObjectRoundTrip, ParquetRoundTrip, ServerVersion } from '../activities';
import type { Pipeline } from '../config/pipeline-schema';

const { readServerVersion, roundTripObject, roundTripParquet } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface PreflightInput {
  pipeline: Pipeline;
}

export interface PreflightSummary {
  pipeline: string;
  databases: ServerVersion[];
  lake: ObjectRoundTrip;
  parquet: ParquetRoundTrip;
}

/** Proves every external system the pipeline uses is reachable: Postgres, the S3 lake and DuckDB. */
export async function preflightWorkflow(input: PreflightInput): Promise<PreflightSummary> {
  const { pipeline } = input;
  const { workflowId } = workflowInfo();
  const databases = await Promise.all(
    (pipeline.warehouse.type === 'postgres' ? (['source', 'warehouse'] as const) : (['source'] as const)).map((database) =>
      readServerVersion.executeWithOptions({ summary: `preflight: connect to the ${database} database (${pipeline.name})` }, [{ database }]),
    ),
  );
  const lake = await roundTripObject.executeWithOptions({ summary: `preflight: write, read and delete an object in the lake (${pipeline.name})` }, [{
    bucket: pipeline.lake.bucket,
    key: `${pipeline.lake.prefix}_preflight/${workflowId}.txt`,
    body: `preflight ${workflowId}`,
    encryption: { serverSideEncryption: pipeline.lake.serverSideEncryption, kmsKeyId: pipeline.lake.kmsKeyId },
  }]);
  const parquet = await roundTripParquet.executeWithOptions({ summary: `preflight: write and read Parquet with DuckDB (${pipeline.name})` }, [{ name: workflowId, rows: 10_000 }]);
  return { pipeline: pipeline.name, databases, lake, parquet };
}
