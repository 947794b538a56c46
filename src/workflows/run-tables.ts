import { startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { ExtractPlan } from '../activities';
import type { Pipeline, TableSpec } from '../config/pipeline-schema';
import { orderTableLevels } from '../config/table-order';
import type { TableRunResult } from './results';
import { runBounded } from './run-bounded';
import { dependencyLoadedSignal, tableEtlWorkflow } from './table-etl';

/**
 * Runs one child workflow per table, at most `maxParallelTables` at once, started in dependency order. A
 * table's extract and transform start at once; only its load waits until the tables it depends on have
 * loaded (the parent signals it), so dimensions still commit before facts while the fact extract overlaps them.
 */
export async function runTables(input: { pipeline: Pipeline; runId: string; runDate: string; plans: Map<string, ExtractPlan> }): Promise<TableRunResult[]> {
  const { pipeline } = input;
  const loaded = new Set<string>();
  const running = new Map<string, { table: TableSpec; handle: ChildWorkflowHandle<typeof tableEtlWorkflow> }>();
  const tellDependents = async (name: string) => {
    for (const child of running.values()) if (child.table.dependsOn.includes(name)) await child.handle.signal(dependencyLoadedSignal, { table: name });
  };
  const order = orderTableLevels(pipeline.tables).levels.flat();
  return runBounded(order, pipeline.maxParallelTables, async (table) => {
    const waitFor = table.dependsOn.filter((name) => !loaded.has(name));
    const handle = await startChild(tableEtlWorkflow, {
      workflowId: `${input.runId}.${table.name}`,
      args: [{ pipeline, table: table.name, runId: input.runId, runDate: input.runDate, plan: input.plans.get(table.name) as ExtractPlan, waitFor }],
    });
    running.set(table.name, { table, handle });
    // A dependency that finished while this child was starting missed it in tellDependents: tell it now.
    for (const name of waitFor) if (loaded.has(name)) await handle.signal(dependencyLoadedSignal, { table: name });
    const result = await handle.result();
    running.delete(table.name);
    loaded.add(table.name);
    await tellDependents(table.name);
    return result;
  });
}
