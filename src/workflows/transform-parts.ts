import type { TransformInput, TransformResult } from '../activities';
import { combineTransformResults } from '../common/combine-transforms';
import { processedPrefix, rejectedPrefix } from '../common/lake-layout';
import { runBounded } from '../common/run-bounded';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { bulk } from './activities';

const DEFAULT_PARALLEL_PARTS = 4;

/**
 * Whether a table's raw parts may be transformed one by one: parts are key ranges, so per-key steps (dedupe)
 * stay inside one part, references read key files and rollups are computed at load. A `sql:` step is user SQL
 * that may look across rows (a window, an aggregate), so such a table keeps one whole-table transform.
 */
export function transformsPerPart(table: TableSpec): boolean {
  return table.primaryKey.length > 0 && !table.transform.some((step) => step.kind === 'sql');
}

/** How many parts of one table transform at once (a run started before the setting existed takes the default). */
export function parallelPartsOf(pipeline: Pipeline): number {
  return (pipeline as Partial<Pipeline>).transform?.parallelParts ?? DEFAULT_PARALLEL_PARTS;
}

/**
 * One transform activity per raw part, at most `parallelParts` at once, so any worker of the fleet can take
 * a part; the results combine in order (deterministically) into the table's one transform result.
 */
export async function transformParts(input: { transform: TransformInput; parallelParts: number }): Promise<TransformResult> {
  const started = Date.now();
  const { transform } = input;
  const parts = transform.rawKeys.map((key, part) => ({ key, part }));
  const results = await runBounded(parts, input.parallelParts, ({ key, part }) => bulk.transformTable({ ...transform, rawKeys: [key], part }));
  const location = transform.location;
  const seconds = (Date.now() - started) / 1000;
  return combineTransformResults({ table: transform.table.name, results, processedPrefix: processedPrefix(location), rejectedPrefix: rejectedPrefix(location), seconds });
}
