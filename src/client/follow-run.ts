import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatProgressLine } from './format-progress';
import { readRunProgress } from './run-progress';

/**
 * Shows a run's live progress on stderr until it closes (a redrawn bar on a terminal, a line per change of
 * step otherwise) and returns its final status.
 */
export async function followRun(input: { client: Client; workflowId: string; intervalMs?: number }): Promise<WorkflowExecutionStatusName> {
  const tty = process.stderr.isTTY;
  let lastKey = '';
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
}
