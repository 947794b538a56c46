import { execFile, spawn } from 'node:child_process';
import type { CommandResult } from '../support/commands';

/** `npm run etl` as shipped: compiled JavaScript from dist/ (bin/run-dist.cjs builds it when stale). */
function etl(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/run-dist.cjs', 'client/cli.js', ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('etl, the compiled command line', () => {
  beforeAll(async () => {
    // The first call may build dist/; later ones run it as it is.
    await etl(['--version']);
  }, 300_000);

  it('names the environment variables it reads and the --address / --namespace options in --help', async () => {
    const { status, stdout } = await etl(['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('--address <host:port>');
    expect(stdout).toContain('--namespace <name>');
    for (const variable of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_API_KEY', 'SOURCE_DATABASE_URL', 'S3_ENDPOINT', 'ETL_PORT_OFFSET']) {
      expect(stdout).toContain(variable);
    }
  });

  it('connects where --address and --namespace say, over the environment', async () => {
    const { status, stderr } = await etl(['schedule', 'list', '--address', '127.0.0.1:1', '--namespace', 'elsewhere'], { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:2' });
    expect(status).toBe(1);
    expect(stderr).toContain('cannot reach Temporal at 127.0.0.1:1 (namespace elsewhere)');
  }, 60_000);

  it('stops quietly when its output is closed early (etl … | head -2), instead of crashing with write EPIPE', async () => {
    // Like `etl schedule describe … | head -2`: lines keep coming after the reader has gone.
    const script = `require('./dist/client/cli-environment.js').exitQuietlyOnClosedOutput();
      let line = 0;
      setInterval(() => console.log('line ' + line++), 5);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
