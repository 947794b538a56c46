import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatProgressLine } from './format-progress';
import { readRunProgress } from './run-progress';

/** What Ctrl-C while following prints: the run goes on, and how to look at it or cancel it. */
export function detachMessage(workflowId: string): string {
  return `detached from ${workflowId}; the run goes on on the workers.\n  follow it:  etl status ${workflowId} --follow\n  cancel it:  etl cancel ${workflowId}`;
}

/**
 * Shows a run's live progress on stderr until it closes (a redrawn bar on a terminal, a line per change of
 * step otherwise) and returns its final status. Ctrl-C detaches (exit 130) and says how to cancel the run.
 */
export async function followRun(input: { client: Client; workflowId: string; intervalMs?: number }): Promise<WorkflowExecutionStatusName> {
  const tty = process.stderr.isTTY;
  const detach = () => {
    process.stderr.write(`${tty ? '\n' : ''}${detachMessage(input.workflowId)}\n`);
    process.exit(130);
  };
  process.once('SIGINT', detach);
  let lastKey = '';
  try {
    for (;;) {
      const view = await readRunProgress(input);
      if (view.status !== 'RUNNING') {
        if (tty) process.stderr.write('\n');
        return view.status;
      }
      if (view.progress) {
        const line = formatProgressLine(view.progress);
        const key = `${view.progress.step} ${view.progress.status} ${view.progress.tablesDone} ${view.progress.tables.map((table) => table.stage).join(',')}`;
        if (tty) process.stderr.write(`\r\x1b[2K${line}`);
        else if (key !== lastKey) process.stderr.write(`${line}\n`);
        lastKey = key;
      }
      await sleep(input.intervalMs ?? 1000);
    }
  } finally {
    process.removeListener('SIGINT', detach);
  }
}
