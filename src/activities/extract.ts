import { createSources } from '../connectors/sources';
import type { ExtractDeps } from '../connectors/sources/postgres/extract';
import type { ExtractKeysInput, ExtractSourceKeysInput, ExtractPlan, ExtractResult, ExtractTableInput, PlanExtractInput, SourceKind } from '../connectors/sources/types';

/** The extract activities: each hands its input to the table's source connector. */
export function createExtractActivities(deps: ExtractDeps) {
  const sources = createSources(deps);
  const sourceOf = (kind: SourceKind = 'postgres') => sources[kind];
  return {
    /** Checks a table against its source and fixes the window to extract, before any data moves. */
    planExtract: (input: PlanExtractInput): Promise<ExtractPlan> => sourceOf().planExtract(input),
    /** Copies the planned window to raw Parquet parts in the lake; resumes after the last uploaded part. */
    extractTable: (input: ExtractTableInput): Promise<ExtractResult> => sourceOf().extractTable(input),
    /** Writes the distinct keys of a table to one Parquet file, for reference checks. */
    extractKeys: (input: ExtractKeysInput): Promise<{ key: string; rows: number }> => sourceOf().extractKeys(input),
    /** Writes every key the source holds now to the lake, for a load that propagates deletes. */
    extractSourceKeys: (input: ExtractSourceKeysInput): Promise<{ bucket: string; key: string; rows: number }> => sourceOf().extractSourceKeys(input),
  };
}
