import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * This process's mark on its spool folders: its pid and start time. A pid alone is not enough: a worker
 * restarted in a container gets the same pid (often 1) as the one that died.
 */
const PROCESS_TAG = `p${process.pid}s${Date.now().toString(36)}`;
const TAG = /-p(\d+)s([0-9a-z]+)-\d+$/;
/** Folders named before the start time was part of the tag: name-<pid>-<ms>. */
const LEGACY_TAG = /-(\d+)-\d{13}$/;

/** A private scratch directory for one activity call, removed afterwards whatever happens. */
export async function withSpool<T>(input: { spoolDir: string; name: string }, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(input.spoolDir, `${input.name.replace(/[^\w.-]/g, '_')}-${PROCESS_TAG}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a spool folder was left by a process that is gone (a killed worker), judged by its tag. */
export function isDeadSpool(name: string): boolean {
  const legacy = LEGACY_TAG.exec(name);
  if (legacy) return !isAlive(Number(legacy[1])) || Number(legacy[1]) === process.pid;
  const match = TAG.exec(name);
  if (!match) return false;
  const pid = Number(match[1]);
  if (pid === process.pid) return `p${match[1]}s${match[2]}` !== PROCESS_TAG;
  return !isAlive(pid);
}

/**
 * Removes the spool folders of workers that died without cleaning up (SIGKILL, OOM, a power cut), leaving
 * every live worker's alone; run when a worker starts. Returns the names removed.
 */
export async function removeDeadSpools(input: { spoolDir: string }): Promise<string[]> {
  const entries = await readdir(input.spoolDir, { withFileTypes: true }).catch(() => []);
  const dead = entries.filter((entry) => entry.isDirectory() && isDeadSpool(entry.name)).map((entry) => entry.name);
  await Promise.all(dead.map((name) => rm(join(input.spoolDir, name), { recursive: true, force: true })));
  return dead;
}
