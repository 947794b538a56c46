import { spawn, type ChildProcess } from 'node:child_process';
import { processCpuSeconds, waitWhileProgressing } from '../../src/dev/processes';

const children: ChildProcess[] = [];

function start(script: string): number {
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  children.push(child);
  return child.pid as number;
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const describeReason = (reason: string) => `gave up: ${reason}`;

describe('waiting for a starting server', () => {
  it('keeps waiting past the stall window while the process uses CPU, until the check passes', async () => {
    const pid = start('const end = Date.now() + 60_000; while (Date.now() < end) {}');
    let checks = 0;
    const waits: number[] = [];
    // Healthy only on the 12th check (about 3 s in), well past the 1 s stall window.
    await waitWhileProgressing({
      pid,
      check: () => Promise.resolve(++checks >= 12),
      files: [],
      stallMs: 1000,
      limitMs: 60_000,
      reportMs: 0,
      onWait: (status) => waits.push(status.cpuSeconds ?? -1),
      describe: describeReason,
    });
    expect(checks).toBe(12);
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeGreaterThan(0);
  });

  it('gives up when the process is alive but does nothing', async () => {
    const pid = start('setTimeout(() => undefined, 60_000)');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(
      waitWhileProgressing({ pid, check: () => Promise.resolve(false), files: [], stallMs: 1000, limitMs: 60_000, describe: describeReason }),
    ).rejects.toThrow('gave up: stalled');
  });

  it('gives up at once when the process exits', async () => {
    const pid = start('process.exit(3)');
    await new Promise((resolve) => children[0]?.once('exit', resolve));
    await expect(
      waitWhileProgressing({ pid, check: () => Promise.resolve(false), files: [], stallMs: 60_000, limitMs: 60_000, describe: describeReason }),
    ).rejects.toThrow('gave up: exited');
  });

  it('reads the CPU time of a process', () => {
    expect(processCpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(processCpuSeconds(2 ** 22 + 1)).toBeUndefined();
  });
});
