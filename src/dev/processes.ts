import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DetachedProcess {
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a server that outlives this process; its output goes to `logFile`, its pid to `pidFile`. */
export async function spawnDetached(input: DetachedProcess): Promise<number> {
  const out = openSync(input.logFile, 'a');
  try {
    const child = spawn(input.command, input.args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...input.env },
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    child.unref();
    await writeFile(input.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(out);
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGTERM, then SIGKILL after `timeoutMs`; returns false when there was nothing to stop. */
export async function stopPidFile(input: { pidFile: string; timeoutMs?: number }): Promise<boolean> {
  const pid = readPid(input.pidFile);
  await rm(input.pidFile, { force: true });
  if (pid === undefined || !isAlive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + (input.timeoutMs ?? 15_000);
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return true;
}

/** The last lines of a log file, to put in an error when a server will not start. */
export function tailFile(file: string, lines = 15): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Polls `check` until it returns true; fails with `describe()` after `timeoutMs` or when `abort()` says so. */
export async function waitUntil(input: {
  check: () => Promise<boolean>;
  timeoutMs: number;
  describe: () => string;
  abort?: () => string | undefined;
}): Promise<void> {
  const deadline = Date.now() + input.timeoutMs;
  while (Date.now() < deadline) {
    if (await input.check()) return;
    const reason = input.abort?.();
    if (reason) throw new Error(reason);
    await sleep(250);
  }
  throw new Error(input.describe());
}

/** CPU seconds a process has used (Linux /proc), or undefined where that cannot be read. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** What a starting server has done so far: CPU time and the size of the files it writes. */
function progressMark(input: { pid: number; files: readonly string[] }): string {
  return [processCpuSeconds(input.pid) ?? 'n/a', ...input.files.map(fileSize)].join('/');
}

/**
 * Polls `check` while the server process `pid` is alive and making progress (its CPU time or the files it
 * writes grow): fails when it exits, after `stallMs` without progress, or after `limitMs` in all. Calls
 * `onWait` every `reportMs` so a slow first start says what it is waiting for.
 */
export async function waitWhileProgressing(input: {
  pid: number;
  check: () => Promise<boolean>;
  files: readonly string[];
  stallMs: number;
  limitMs: number;
  reportMs?: number;
  onWait?: (status: { elapsedMs: number; cpuSeconds: number | undefined }) => void;
  describe: (reason: 'exited' | 'stalled' | 'limit', elapsedMs: number) => string;
}): Promise<void> {
  const started = Date.now();
  let mark = progressMark(input);
  let lastProgress = started;
  let lastReport = started;
  for (;;) {
    if (await input.check()) return;
    const now = Date.now();
    if (!isAlive(input.pid)) throw new Error(input.describe('exited', now - started));
    const current = progressMark(input);
    if (current !== mark) {
      mark = current;
      lastProgress = now;
    }
    if (now - lastProgress > input.stallMs) throw new Error(input.describe('stalled', now - started));
    if (now - started > input.limitMs) throw new Error(input.describe('limit', now - started));
    if (input.onWait && now - lastReport >= (input.reportMs ?? 15_000)) {
      lastReport = now;
      input.onWait({ elapsedMs: now - started, cpuSeconds: processCpuSeconds(input.pid) });
    }
    await sleep(250);
  }
}
