import type { ExtractPlan, TransformInput, TransformResult } from '../activities';
import { combineTransformResults } from '../common/combine-transforms';
import { processedPrefix, rejectedPrefix } from '../common/lake-layout';
import { runBounded } from '../common/run-bounded';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { bulk } from './activities';

const DEFAULT_PARALLEL_PARTS = 4;

/** A step that may see other rows: user SQL, or a `derive`/`filter` expression with a window (`OVER`). */
function looksAcrossRows(step: TableSpec['transform'][number]): boolean {
  if (step.kind === 'sql') return true;
  const expressions = step.kind === 'derive' ? Object.values(step.body) : step.kind === 'filter' ? [step.body.keep] : [];
  return expressions.some((expression) => /\bover\s*\(/i.test(expression));
}

/**
 * Whether a table's raw parts may be transformed one by one. The parts are ranges of the source key the
 * extract cuts on (`chunkKey`), so rows of one table key stay in one part when those columns are all in the
 * table's `primaryKey`; otherwise (e.g. a surrogate source `id` under a business `sale_id`) a `dedupe` by
 * the table key would see one key's duplicates in several parts, and the table keeps one whole-table
 * transform. Row-level steps see a row at a time, references read key files and rollups are computed at
 * load. A `sql:` step is user SQL that may look across rows (a window, an aggregate): such a table stays whole.
 */
export function transformsPerPart(table: TableSpec, plan: Pick<ExtractPlan, 'chunkKey'>): boolean {
  if (table.primaryKey.length === 0 || table.transform.some(looksAcrossRows)) return false;
  const dedupes = table.transform.some((step) => step.kind === 'dedupe');
  return !dedupes || (plan.chunkKey.length > 0 && plan.chunkKey.every((column) => table.primaryKey.includes(column)));
}

/** How many parts of one table transform at once (a run started before the setting existed takes the default). */
export function parallelPartsOf(pipeline: Pipeline): number {
  return (pipeline as Partial<Pipeline>).transform?.parallelParts ?? DEFAULT_PARALLEL_PARTS;
}

/**
 * One transform activity per raw part, at most `parallelParts` at once, so any worker of the fleet can take
 * a part; the results combine in order (deterministically) into the table's one transform result.
 */
export async function transformParts(input: { transform: TransformInput; parallelParts: number; summary: (part: number) => { summary: string } }): Promise<TransformResult> {
  const started = Date.now();
  const { transform } = input;
  const parts = transform.rawKeys.map((key, part) => ({ key, part }));
  const results = await runBounded(parts, input.parallelParts, ({ key, part }) => bulk.transformTable.executeWithOptions(input.summary(part), [{ ...transform, rawKeys: [key], part }]));
  const location = transform.location;
  const seconds = (Date.now() - started) / 1000;
  return combineTransformResults({ table: transform.table.name, results, processedPrefix: processedPrefix(location), rejectedPrefix: rejectedPrefix(location), seconds });
}
