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

  it('loads no SDK for --help or a wrong argument: only commander and the command definitions (each action imports what it runs)', async () => {
    // The compiled CLI in a process that reports, as it exits, every module it loaded.
    const loaded = (args: string[]) =>
      new Promise<{ stdout: string; modules: string[] }>((resolve) => {
        const script = `process.on('exit', () => process.stderr.write('\\n@@' + JSON.stringify(Object.keys(require.cache))));
          process.argv = [process.argv[0], ...${JSON.stringify(args)}];
          require('./dist/client/cli.js');`;
        execFile(process.execPath, ['-e', script], { encoding: 'utf8' }, (_error, stdout, stderr) => {
          resolve({ stdout, modules: JSON.parse(stderr.slice(stderr.lastIndexOf('@@') + 2)) as string[] });
        });
      });
    const help = await loaded(['--help']);
    expect(help.stdout).toContain('Environment variables:');
    expect(help.stdout).toContain('TEMPORAL_ADDRESS');
    expect(help.modules.some((path) => path.includes('commander'))).toBe(true);
    for (const heavy of ['@temporalio', '@duckdb', '@aws-sdk', 'zod', 'yaml', '/pg/']) {
      expect({ heavy, loaded: help.modules.filter((path) => path.includes(`node_modules/${heavy.replace(/^\//, '')}`)) }).toEqual({ heavy, loaded: [] });
    }
    const wrong = await loaded(['cancel']);
    expect(wrong.modules.filter((path) => path.includes('node_modules/@temporalio'))).toEqual([]);
    // And an action does load what it runs: validate reads the pipeline file with the schema.
    const validate = await loaded(['validate', 'pipelines/demo.yaml']);
    expect(validate.stdout).toContain('pipelines/demo.yaml: valid (pipeline demo');
    expect(validate.modules.some((path) => path.includes('node_modules/zod'))).toBe(true);
  }, 60_000);

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
