import { ApplicationFailure } from '@temporalio/activity';
import type { ExtractPlan, PlanExtractInput } from '../types';
import { declaredSourceColumns } from '../files/columns';

/** The http source's plan: the declared columns and the saved watermark the first request sends. */
export function createHttpPlan() {
  return {
    /** Declares the columns and binds the incremental parameter to the saved watermark; no request is made. */
    planExtract(input: PlanExtractInput): Promise<ExtractPlan> {
      const { table } = input;
      if (!table.http || !table.columns) return Promise.reject(ApplicationFailure.nonRetryable(`pipeline ${input.pipeline ?? ''}, table ${table.name}: kind: http needs http: and columns:`, 'PipelineInvalid'));
      const since = table.http.incremental && table.mode !== 'full-refresh' ? input.since : undefined;
      return Promise.resolve({
        pipeline: input.pipeline,
        kind: 'http',
        table: table.name,
        source: table.http.url,
        database: input.database,
        columns: declaredSourceColumns(table.columns),
        chunkKey: [],
        sourceRows: 0,
        http: { spec: table.http, ...(since === undefined ? {} : { since }) },
      });
    },
  };
}
