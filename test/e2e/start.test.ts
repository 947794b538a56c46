import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_STACK } from '../../src/config/local-stack';

/** Runs `npm start` the way the README says (through tsx, as the npm script does). */
function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/client/start.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
}

describe('npm start', () => {
  it('runs the demo pipeline on the local stack and prints a per-table summary and the Web UI link', () => {
    const result = start([]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The demo replicates the source into the replica first and extracts from it.
    expect(result.stdout).toMatch(/^replication: postgres logical full-load-and-cdc, 3 tables in sync, lag [\d.]+ (B|KiB|MiB).*; extracted from the replica$/m);
    expect(result.stdout).toMatch(/pipeline demo, run date \d{4}-\d{2}-\d{2}: \d+ rows loaded, \d+ rejected/);
    expect(result.stdout).toMatch(/table +extracted +rejected +loaded +seconds +quality/);
    for (const table of ['customers', 'products', 'sales']) expect(result.stdout).toMatch(new RegExp(`\\n${table} +\\d+ +\\d+ +\\d+ +[\\d.]+ +[\\d.]+%`));
    expect(result.stdout).toMatch(/manifest: s3:\/\/temporal-etl-lake\/manifests\/run_date=/);
    const uiLink = String.raw`Web UI: http://127\.0\.0\.1:` + `${LOCAL_STACK.temporalUiPort}` + String.raw`/namespaces/default/workflows/demo-\d{4}-\d{2}-\d{2}-\d{8}T\d{6}/`;
    expect(result.stdout).toMatch(new RegExp(uiLink));

    // Right after npm start (no worker running any more), the replication it ran is found and reported.
    const runId = /^started (demo-\S+)$/m.exec(result.stdout)?.[1];
    expect(runId).toBeDefined();
    const progress = spawnSync(process.execPath, ['--import', 'tsx', 'src/client/cli.ts', 'replicate', 'pipelines/demo.yaml', '--progress'], { encoding: 'utf8' });
    expect(progress.stderr).toBe('');
    expect(progress.status).toBe(0);
    expect(progress.stdout).toMatch(new RegExp(`^replication run (${runId ?? ''}\\.replication|demo-replication)$`, 'm'));
  });

  it('stops on an invalid pipeline file before touching any service, naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'etl-e2e-'));
    const file = join(dir, 'broken.yaml');
    await writeFile(file, 'name: broken\nlake: { bucket: temporal-etl-lake }\ntables:\n  - { name: t, source: raw.t, target: a.t, primaryKey: [] }\n');
    // An unreachable Temporal address: had any work started, the error would be about connecting.
    const result = start([file], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe(`${file}: invalid configuration\n  - tables[0].primaryKey: expected at least one key column`);
  });
});
