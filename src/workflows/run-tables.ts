import { isCancellation, startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { ExtractPlan } from '../activities';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { orderTableLevels, withStepOrder } from '../config/table-order';
import type { StepRun } from './database-steps';
import type { TableRunResult } from './results';
import { runBounded } from '../common/run-bounded';
import type { RunTracking } from './run-tracking';
import type { RunInterval } from './run-date';
import { describeTableRun } from './table-run-metadata';
import { dependencyLoadedSignal, tableEtlWorkflow } from './table-etl';
import { skippedTableResult, type SkipReason } from './skip-tables';

/**
 * Runs one child workflow per table, at most `maxParallelTables` at once, started in dependency order. A
 * table's extract and transform start at once; only its load waits until the tables it depends on have
 * loaded (the parent signals it), so dimensions still commit before facts while the fact extract overlaps them.
 * A paused run starts no new table, and pause and resume reach the running ones.
 */
export async function runTables(input: {
  pipeline: Pipeline;
  runId: string;
  runDate: string;
  interval: RunInterval;
  plans: Map<string, ExtractPlan>;
  /** Tables whose window is empty and whose load would save nothing new: no child workflow, a skipped entry. */
  skips?: Map<string, SkipReason>;
  tracking: RunTracking;
  steps?: StepRun;
}): Promise<TableRunResult[]> {
  const { pipeline, tracking } = input;
  const loaded = new Set<string>();
  const between = input.steps?.startBetween((name) => loaded.has(name));
  const running = new Map<string, { table: TableSpec; handle: ChildWorkflowHandle<typeof tableEtlWorkflow>; result: Promise<TableRunResult> }>();
  const tellDependents = async (name: string) => {
    for (const child of running.values()) if (child.table.dependsOn.includes(name)) await child.handle.signal(dependencyLoadedSignal, { table: name });
  };
  const markDone = (table: string, result: TableRunResult) => {
    const { extractedRows, rejectedRows, loadedRows, bytes } = result;
    // Every extracted row went through the transform (reconciled in the table workflow).
    tracking.updateTable(table, { stage: 'done', extractedRows, transformedRows: extractedRows, rejectedRows, loadedRows, bytes: bytes.raw + bytes.processed });
  };
  const runTable = async (table: TableSpec, workflowId: string) => {
    const waitFor = table.dependsOn.filter((name) => !loaded.has(name));
    const handle = await startChild(tableEtlWorkflow, {
      workflowId,
      ...describeTableRun({ pipeline, table, runDate: input.runDate, interval: input.interval, plan: input.plans.get(table.name), waitFor }),
      args: [{ pipeline, table: table.name, runId: input.runId, runDate: input.runDate, plan: input.plans.get(table.name) as ExtractPlan, waitFor }],
    });
    const settled = handle.result();
    running.set(table.name, { table, handle, result: settled });
    // A dependency that finished while this child was starting missed it in tellDependents: tell it now.
    for (const name of waitFor) if (loaded.has(name)) await handle.signal(dependencyLoadedSignal, { table: name });
    const result = await settled;
    running.delete(table.name);
    loaded.add(table.name);
    // Done before telling dependents: in a cancelled run that signal rejects, and a table whose load committed
    // must not count as unfinished (its lake files would be removed beside its committed rows).
    markDone(table.name, result);
    await tellDependents(table.name);
    return result;
  };
  // A skipped table loads nothing, so the tables waiting for it go on at once.
  const skipTable = async (table: TableSpec, skipped: SkipReason) => {
    const result = skippedTableResult({ pipeline, table, plan: input.plans.get(table.name) as ExtractPlan, runDate: input.runDate, runId: input.runId, skipped });
    loaded.add(table.name);
    await tellDependents(table.name);
    tracking.updateTable(table.name, { stage: 'done', extractedRows: 0, transformedRows: 0, rejectedRows: 0, loadedRows: 0, bytes: 0 });
    return result;
  };
  // Steps placed between tables order them too: a table a step runs before starts after the step's tables.
  const names = orderTableLevels(withStepOrder(pipeline.tables, pipeline.steps)).levels.flat().map((table) => table.name);
  const order = names.flatMap((name) => pipeline.tables.filter((table) => table.name === name));
  const lanes = runBounded(order, pipeline.maxParallelTables, async (table) => {
    // Without steps not even a microtask is added here, so runs without them schedule exactly as before.
    if (between) await between.before(table.name);
    await tracking.control.waitIfResumed();
    const skipped = input.skips?.get(table.name);
    if (skipped) return skipTable(table, skipped);
    const workflowId = `${input.runId}.${table.name}`;
    tracking.updateTable(table.name, { stage: 'running' });
    return tracking.control.trackChild(workflowId, () => runTable(table, workflowId));
  });
  try {
    if (!between) return await lanes;
    const [results] = await Promise.all([lanes, between.all]);
    return results;
  } catch (error) {
    // A cancelled run waits until every child has finished cancelling (its load rolled back) and every step's
    // statement was cancelled, so none is terminated halfway when the run closes; a failed run fails at once.
    if (isCancellation(error)) await Promise.allSettled([...[...running.values()].map((child) => child.result), between?.settled()]);
    throw error;
  }
}
