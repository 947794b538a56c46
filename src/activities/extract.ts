import { createSources } from '../connectors/sources';
import type { FilesDeps } from '../connectors/sources/files/deps';
import type { HttpDeps } from '../connectors/sources/http/deps';
import type { ExtractKeysInput, ExtractSourceKeysInput, ExtractPlan, ExtractResult, ExtractTableInput, PlanExtractInput, SourceKind } from '../connectors/sources/types';

/** The extract activities: each hands its input to the table's source connector (no kind: postgres). */
export function createExtractActivities(deps: FilesDeps & HttpDeps) {
  const sources = createSources(deps);
  const sourceOf = (kind: SourceKind = 'postgres') => sources[kind];
  return {
    /** Checks a table against its source and fixes the window (or the files) to extract, before any data moves. */
    planExtract: (input: PlanExtractInput): Promise<ExtractPlan> => sourceOf(input.table.kind).planExtract(input),
    /** Copies the planned window (or files) to raw Parquet parts in the lake; resumes after the last uploaded part. */
    extractTable: (input: ExtractTableInput): Promise<ExtractResult> => sourceOf(input.plan.kind).extractTable(input),
    /** Writes the distinct keys of a table to one Parquet file, for reference checks (the warehouse's are Postgres). */
    extractKeys: (input: ExtractKeysInput): Promise<{ key: string; rows: number }> => sourceOf(input.database === 'warehouse' ? 'postgres' : input.table.kind).extractKeys(input),
    /** Writes every key the source holds now to the lake, for a load that propagates deletes. */
    extractSourceKeys: (input: ExtractSourceKeysInput): Promise<{ bucket: string; key: string; rows: number }> => sourceOf(input.plan.kind).extractSourceKeys(input),
  };
}
