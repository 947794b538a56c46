import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { cachedToolPath, TEMPORAL_CLI } from '../../src/dev/tools';
import type { CommandResult } from '../support/commands';
import { testSettings } from '../support/stack';

const settings = testSettings();
const DELAY_SECONDS = 70;

function npmStack(command: 'up' | 'down', env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile('npm', ['run', 'stack', '--', command], { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function answers(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 5000 });
  try {
    return (await connection.workflowService.getSystemInfo({})).serverVersion !== undefined;
  } finally {
    await connection.close();
  }
}

describe('a Temporal dev server that is slow to start the first time', () => {
  const offset = Number(process.env.ETL_PORT_OFFSET ?? 0) + 500;
  const address = `127.0.0.1:${17233 + offset + 20}`;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'etl-slow-temporal-'));
    const wrapper = join(dir, 'temporal');
    const real = cachedToolPath({ tool: TEMPORAL_CLI, toolsDir: settings.toolsDir });
    // Like a first start after a cold build: the process is alive, the server answers only after 70 s.
    await writeFile(wrapper, `#!/bin/sh\necho delaying >> "${dir}/wrapper.log"\nsleep ${DELAY_SECONDS}\necho starting >> "${dir}/wrapper.log"\nexec "${real}" "$@"\n`);
    await chmod(wrapper, 0o755);
    // Only Temporal is embedded: S3 and Postgres are the harness's, given as external endpoints.
    env = {
      ...process.env,
      TEMPORAL_CLI_PATH: wrapper,
      ETL_STATE_DIR: join(dir, 'state'),
      ETL_PORT_OFFSET: String(offset),
      S3_ENDPOINT: settings.s3.endpoint,
      SOURCE_DATABASE_URL: settings.postgres.sourceUrl,
      WAREHOUSE_DATABASE_URL: settings.postgres.warehouseUrl,
      REPLICA_DATABASE_URL: settings.postgres.replicaUrl,
    };
  });

  afterAll(async () => {
    await npmStack('down', env);
    await rm(dir, { recursive: true, force: true });
  });

  it('`npm run stack -- up` waits for it while the process is alive, says so, and succeeds', async () => {
    const up = await npmStack('up', env);

    expect(up.stderr).not.toMatch(/did not become healthy|did not answer/);
    expect(up.status).toBe(0);
    expect(up.stdout).toContain('still waiting for the Temporal dev server');
    expect(up.stdout).toMatch(/temporal\s+running\s+127\.0\.0\.1:/);
    expect((await readFile(join(dir, 'wrapper.log'), 'utf8')).split('\n')).toEqual(['delaying', 'starting', '']);
    expect(await answers(address)).toBe(true);

    const down = await npmStack('down', env);
    expect(down.stdout).toContain('stopped temporal');
    await expect(answers(address)).rejects.toThrow();
  }, 300_000);
});
