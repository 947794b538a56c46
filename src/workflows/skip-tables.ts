import type { ExtractPlan, PlannedTable } from '../activities';
import { processedPrefix, rawPrefix } from '../common/lake-layout';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import type { SourceMark } from '../connectors/targets/load-plan';
import type { TableRunResult } from './results';

/** Why a table's extract, transform and load did not run: its window held no row and the load would save nothing new. */
export type SkipReason = 'empty window';

const sameMark = (a?: SourceMark, b?: SourceMark) => a?.id === b?.id && a?.rows === b?.rows;

/**
 * Whether an empty window lets the table skip extract, transform and load: only when that load would change
 * nothing. Not for a full refresh (it empties the target), `deletes: propagate | soft` (the key comparison
 * must run), an http table (its rows are known only by reading), a target that does not exist yet or whose
 * columns change, nor when the load would save a new watermark (an interval table's next day) or source mark
 * (the went-backwards check compares the next plan with it), so the saved state stays exactly what a load
 * of the empty window would have left.
 */
export function skipReasonOf(table: TableSpec, planned: PlannedTable): SkipReason | undefined {
  const { plan, saved } = planned;
  if (table.mode === 'full-refresh' || table.deletes === 'propagate' || table.deletes === 'soft') return undefined;
  if (planned.targetExists !== true || plan.schemaChange) return undefined;
  if (table.kind === 'files') return plan.files && plan.files.files.length === 0 ? 'empty window' : undefined;
  if (table.kind === 'http' || plan.sourceRows !== 0) return undefined;
  const watermark = plan.nextWatermark ?? plan.window?.to;
  return watermark === saved.watermark && sameMark(plan.sourceMark, saved.sourceMark) ? 'empty window' : undefined;
}

/** The manifest entry of a skipped table: its window, nothing read or loaded, and why. */
export function skippedTableResult(input: { pipeline: Pipeline; table: TableSpec; plan: ExtractPlan; runDate: string; runId: string; skipped: SkipReason }): TableRunResult {
  const { pipeline, table, plan } = input;
  const location = { prefix: pipeline.lake.prefix, table: table.name, runDate: input.runDate, runId: input.runId };
  const bucket = pipeline.lake.bucket;
  const files = plan.files ? { files: { read: 0, quarantined: 0, skipped: plan.files.skipped.length, rows: 0, malformedRows: 0, bookmarked: 0, quarantine: [], malformedKeys: [] } } : {};
  return {
    table: table.name,
    target: table.target,
    mode: table.mode,
    window: plan.window,
    sourceRows: 0,
    nullWatermark: plan.nullWatermark,
    extractedRows: 0,
    rejectedRows: 0,
    rejectedByRule: {},
    loadedRows: 0,
    qualityScore: 1,
    // Sums over no row, as a load of an empty window reports them.
    keyChecksum: '0',
    rowChecksum: '0',
    bytes: { raw: 0, processed: 0 },
    seconds: { extract: 0, transform: 0, load: 0, total: 0, verify: { transform: 0, load: 0 } },
    // Nothing was written under these prefixes this run.
    uris: { raw: `s3://${bucket}/${rawPrefix(location)}`, processed: `s3://${bucket}/${processedPrefix(location)}` },
    ...files,
    raw: { keys: [], columns: plan.columns },
    skipped: input.skipped,
  };
}
