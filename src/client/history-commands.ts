import { existsSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
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

/** `etl history` (the audit trail from the event history) and `etl replay` (determinism check). */
export function addHistoryCommands(program: Command): void {
  program
    .command('history')
    .argument('<workflowId>', 'the run (workflow id)')
    .option('--json', 'print the audit trail as JSON')
    .description('the audit trail of a run from its event history: who started it, signals, every activity with attempts, duration, outcome and rows')
    .action((workflowId: string, options: { json?: boolean }) =>
      withClient(async (client) => {
        const trail = await readAuditTrail({ client, workflowId });
        if (options.json) {
          console.log(JSON.stringify(trail, null, 2));
          return;
        }
        for (const line of formatAuditTrail(trail)) console.log(line);
        for (const child of trail.childTrails) for (const line of formatAuditTrail(child, '  ')) console.log(line);
      }),
    );
  program
    .command('replay')
    .argument('<workflowId|history.json>', 'a run on the server, or a history file (temporal workflow show --output json)')
    .option('--workflow-id <id>', 'the workflow id of a history file (default: read from the file)')
    .option('--workflows <path>', 'workflow code to replay against (default: this checkout\'s src/workflows)')
    .description('replay a recorded history (a run and its table workflows, or a file) against the current workflow code; fails on non-determinism')
    .action(async (source: string, options: { workflowId?: string; workflows?: string }) => {
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
    });
}
