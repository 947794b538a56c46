import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { loadPipeline } from '../config';
import type { Pipeline } from '../config/pipeline-schema';
import { resetPipelineWorkflow } from '../workflows';
import { compactTimestamp } from './pipeline-run';
import { withClient } from './with-client';

export interface ResetOptions {
  tables?: string;
  truncate?: boolean;
  reason?: string;
  yes?: boolean;
}

/** What the reset will do, in one sentence the user confirms. */
function describeReset(pipeline: Pipeline, tables: string[], truncate: boolean): string {
  const names = tables.length > 0 ? tables.join(', ') : `every table (${pipeline.tables.map((table) => table.name).join(', ')})`;
  const empty = truncate ? ' and DELETE every row of their targets and rollups' : '';
  return `reset pipeline ${pipeline.name} in the ${pipeline.warehouse.type} warehouse: forget the watermarks of ${names}${empty}; the next run reads those tables from the beginning`;
}

/** Asks on a terminal; refuses without one, so a script must say --yes. */
async function confirm(question: string, expected: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new Error(`${question}\nnot a terminal: pass --yes to confirm`);
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await prompt.question(`${question}\ntype the pipeline name (${expected}) to confirm: `)).trim() === expected;
  } finally {
    prompt.close();
  }
}

/** `etl reset <file>`: confirms (or --yes), then runs the audited reset workflow and says what it did. */
export async function resetPipelineFile(file: string, options: ResetOptions): Promise<void> {
  const pipeline = await loadPipeline({ file });
  const tables = (options.tables ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const truncate = options.truncate === true;
  const question = describeReset(pipeline, tables, truncate);
  if (!options.yes && !(await confirm(question, pipeline.name))) {
    console.error('not confirmed: nothing was reset');
    process.exitCode = 1;
    return;
  }
  await withClient(async (client, settings) => {
    const requestedBy = `${userInfo().username}@${hostname()}`;
    const result = await client.workflow.execute(resetPipelineWorkflow, {
      taskQueue: settings.temporal.taskQueue,
      workflowId: `${pipeline.name}-reset-${compactTimestamp()}`,
      staticSummary: `${pipeline.name} · reset ${tables.length > 0 ? tables.join(', ') : 'every table'}${truncate ? ' and empty their targets' : ''} · by ${requestedBy}: ${options.reason ?? 'not given'}`,
      args: [{ pipeline, tables, truncate, reason: options.reason ?? 'not given', requestedBy }],
    });
    const emptied = result.emptied.length > 0 ? `; emptied ${result.emptied.join(', ')}` : '';
    console.log(`reset ${result.tables.join(', ')} of pipeline ${pipeline.name}${emptied}; the next run reads them from the beginning`);
  }, { startsRuns: true });
}
