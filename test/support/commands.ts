import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Settings } from '../../src/config/settings';
import { cachedToolPath, TEMPORAL_CLI } from '../../src/dev/tools';

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (an in-process worker keeps serving the run meanwhile). */
function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** `npm run etl -- …` as a user types it, against the harness's Temporal and task queue. */
export function etl(settings: Settings, ...args: string[]): Promise<CommandResult> {
  return runCommand(process.execPath, ['bin/run-dist.cjs', 'client/cli.js', ...args], { ...process.env, TEMPORAL_TASK_QUEUE: settings.temporal.taskQueue });
}

/** The real Temporal CLI (built by the local stack) against the local server. */
export function temporalCli(settings: Settings, ...args: string[]): Promise<CommandResult> {
  const binary = cachedToolPath({ tool: TEMPORAL_CLI, toolsDir: settings.toolsDir });
  return runCommand(binary, [...args, '--address', settings.temporal.address, '--namespace', settings.temporal.namespace]);
}

/** Polls `probe` until it returns a value (not undefined); fails after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}
