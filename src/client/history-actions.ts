import { existsSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { buildAuditTrail, type AuditTrail } from './audit-trail';
import { formatAuditTrail } from './format-audit-trail';
import { quietReplayRuntime, replayHistory } from './replay';
import { withClient } from './with-client';

/** A run's audit trail with its child workflows' (one per table) nested under it. */
export async function readAuditTrail(input: { client: Client; workflowId: string }): Promise<AuditTrail & { childTrails: AuditTrail[] }> {
  const history = await input.client.workflow.getHandle(input.workflowId).fetchHistory();
  const trail = buildAuditTrail({ workflowId: input.workflowId, history });
  const childTrails = await Promise.all(
    trail.children.map(async (child) => buildAuditTrail({ workflowId: child.workflowId, history: await input.client.workflow.getHandle(child.workflowId).fetchHistory() })),
  );
  return { ...trail, childTrails };
}

/** `etl history <id> [--json]`: the audit trail of the run and of each table workflow. */
export function printAuditTrail(workflowId: string, options: { json?: boolean }): Promise<void> {
  return withClient(async (client) => {
    const trail = await readAuditTrail({ client, workflowId });
    if (options.json) {
      console.log(JSON.stringify(trail, null, 2));
      return;
    }
    for (const line of formatAuditTrail(trail)) console.log(line);
    for (const child of trail.childTrails) for (const line of formatAuditTrail(child, '  ')) console.log(line);
  });
}

/** `etl replay <id|file>`: a history file, or a run and its table workflows from the server, against the workflow code. */
export async function replayRun(source: string, options: { workflowId?: string; workflows?: string }): Promise<void> {
  quietReplayRuntime();
  const report = (result: { workflowId: string; events: number; workflowsPath: string }) =>
    console.log(`${result.workflowId}: replayed ${result.events} events deterministically against ${result.workflowsPath}`);
  if (existsSync(source)) {
    report(await replayHistory({ file: source, workflowId: options.workflowId, workflowsPath: options.workflows }));
    return;
  }
  await withClient(async (client) => {
    // A run from the server: the run itself, then each table workflow it started.
    const history = await client.workflow.getHandle(source).fetchHistory();
    report(await replayHistory({ history, workflowId: source, workflowsPath: options.workflows }));
    for (const child of buildAuditTrail({ workflowId: source, history }).children) {
      const childHistory = await client.workflow.getHandle(child.workflowId).fetchHistory();
      report(await replayHistory({ history: childHistory, workflowId: child.workflowId, workflowsPath: options.workflows }));
    }
  });
}
