import { ApplicationFailure } from '@temporalio/common';
import type { TransformResult } from '../transform/transform';

/** The checksum sums travel as decimal text; a labelled row checksum reads `v<version>:<sum>`. */
function splitLabel(checksum: string): { label: string; sum: bigint } {
  const match = /^(v\d+:)?(-?\d+)$/.exec(checksum);
  if (!match?.[2]) throw ApplicationFailure.nonRetryable(`transform parts: checksum ${JSON.stringify(checksum)} is not a decimal sum; re-run the table`, 'ReconciliationFailed');
  return { label: match[1] ?? '', sum: BigInt(match[2]) };
}

/** Adds labelled checksums: every part must carry the same label (the same checksum form), else the sums mean nothing together. */
function addChecksums(checksums: readonly string[], what: string, at: { table: string }): string {
  const parts = checksums.map(splitLabel);
  const labels = [...new Set(parts.map((part) => part.label))];
  if (labels.length > 1) {
    throw ApplicationFailure.nonRetryable(`table ${at.table}: step transform: parts computed the ${what} in different forms (${labels.join(', ') || 'bare'}) — workers of different versions ran side by side; re-run the table once every worker runs the same version`, 'ReconciliationFailed');
  }
  return `${labels[0] ?? ''}${parts.reduce((sum, part) => sum + part.sum, 0n).toString()}`;
}

function addCounts(maps: readonly Record<string, number>[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const map of maps) for (const [rule, count] of Object.entries(map)) sums[rule] = (sums[rule] ?? 0) + count;
  return Object.fromEntries(Object.entries(sums).sort(([a], [b]) => a.localeCompare(b)));
}

function addColumnChecksums(results: readonly TransformResult[], at: { table: string }): Record<string, string> | undefined {
  const first = results[0]?.columnChecksums;
  if (!first) return undefined;
  return Object.fromEntries(Object.keys(first).map((column) => [column, addChecksums(results.map((result) => result.columnChecksums?.[column] ?? ''), `checksum of column ${column}`, at)]));
}

/** Every part must have produced the same output columns (names, types, order), or the load could not stage them as one table. */
function sameColumns(results: readonly TransformResult[], at: { table: string }): TransformResult['columns'] {
  const [first] = results;
  if (!first) throw ApplicationFailure.nonRetryable(`table ${at.table}: step transform: no parts to combine`, 'ReconciliationFailed');
  const shape = JSON.stringify(first.columns);
  const index = results.findIndex((result) => JSON.stringify(result.columns) !== shape);
  if (index >= 0) throw ApplicationFailure.nonRetryable(`table ${at.table}: step transform: part ${index} produced other output columns than part 0; check the transform's steps for types that depend on the data`, 'ReconciliationFailed');
  return first.columns;
}

/**
 * The per-part transform results of one table as one: counts and rejections by rule add, and the key, row
 * and column checksums (exact sums of 60-bit hashes) add exactly as BigInt; the quality score is recomputed.
 * `processed` is the table's processed folder (every part's folder under it) with all parts' files;
 * `rejected` the table's rejected folder when any part rejected rows. `seconds` is the caller's wall time.
 */
export function combineTransformResults(input: { table: string; results: readonly TransformResult[]; processedPrefix: string; rejectedPrefix: string; seconds: number }): TransformResult {
  const { results } = input;
  const at = { table: input.table };
  const columns = sameColumns(results, at);
  const sum = (pick: (result: TransformResult) => number) => results.reduce((total, result) => total + pick(result), 0);
  const inputRows = sum((result) => result.inputRows);
  const acceptedRows = sum((result) => result.acceptedRows);
  const rejected = results.find((result) => result.rejected)?.rejected;
  const columnChecksums = addColumnChecksums(results, at);
  return {
    inputRows,
    acceptedRows,
    rejectedRows: sum((result) => result.rejectedRows),
    rejectedByRule: addCounts(results.map((result) => result.rejectedByRule)),
    columns,
    processed: { bucket: results[0]?.processed.bucket ?? '', prefix: input.processedPrefix, keys: results.flatMap((result) => result.processed.keys) },
    ...(rejected ? { rejected: { bucket: rejected.bucket, key: input.rejectedPrefix } } : {}),
    keyChecksum: addChecksums(results.map((result) => result.keyChecksum), 'key checksum', at),
    ...(columnChecksums ? { columnChecksums } : {}),
    rowChecksum: addChecksums(results.map((result) => result.rowChecksum), 'row checksum', at),
    checksumSeconds: sum((result) => result.checksumSeconds),
    qualityScore: inputRows === 0 ? 1 : acceptedRows / inputRows,
    processedBytes: sum((result) => result.processedBytes),
    seconds: input.seconds,
  };
}
