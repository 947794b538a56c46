import type { Command } from 'commander';

const actions = () => import('./history-actions.js');

/** `etl history` (the audit trail from the event history) and `etl replay` (determinism check). */
export function addHistoryCommands(program: Command): void {
  program
    .command('history')
    .argument('<workflowId>', 'the run (workflow id)')
    .option('--json', 'print the audit trail as JSON')
    .description('the audit trail of a run from its event history: who started it, signals, updates, cancels, terminations and resets with who and why, every activity with attempts, duration, outcome and rows')
    .action(async (workflowId: string, options: { json?: boolean }) => (await actions()).printAuditTrail(workflowId, options));
  program
    .command('replay')
    .argument('<workflowId|history.json>', 'a run on the server, or a history file (temporal workflow show --output json)')
    .option('--workflow-id <id>', 'the workflow id of a history file (default: read from the file)')
    .option('--workflows <path>', 'workflow code to replay against (default: this checkout\'s src/workflows)')
    .description('replay a recorded history (a run and its table workflows, or a file) against the current workflow code; fails on non-determinism')
    .action(async (source: string, options: { workflowId?: string; workflows?: string }) => (await actions()).replayRun(source, options));
}
