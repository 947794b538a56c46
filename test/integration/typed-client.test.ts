import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import YAML from 'yaml';
import { startPipelineRun, WORKFLOWS, type PipelineInput } from '../../src/sdk';
import { seedDemoData } from '../../src/dev/seed';
import type { CommandResult } from '../support/commands';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;
let dir: string;

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The demo pipeline as written in its YAML file, without replication (this test is about the client). */
async function writtenDemo(): Promise<PipelineInput & { tables: Record<string, unknown>[] }> {
  const pipeline = YAML.parse(await readFile('pipelines/demo.yaml', 'utf8')) as PipelineInput & { tables: Record<string, unknown>[]; replication?: unknown };
  delete pipeline.replication;
  return { ...pipeline, name: 'scripted' };
}

beforeAll(async () => {
  const build = await run('npm', ['run', 'build']);
  expect(build.stderr).not.toContain('error');
  expect(build.status).toBe(0);
  harness = await createHarness();
  await seedDemoData({ pool: harness.source, rows: 5_000, seed: 11 });
  await resetWarehouse(harness.warehouse);
  dir = await mkdtemp(join(tmpdir(), 'etl-script-'));
}, 300_000);

afterAll(async () => {
  await harness.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the typed client for scripts (package temporal-etl, built to dist/)', () => {
  it('runs the README example script: the pipeline as written in YAML, started with startPipelineRun', async () => {
    const file = join(dir, 'scripted.yaml');
    await writeFile(file, YAML.stringify(await writtenDemo()));
    const worker = await harness.worker();
    // tsconfig.build.json maps no paths: `temporal-etl` resolves through package.json `exports` to dist/.
    const script = worker.runUntil(
      run(process.execPath, ['--import', 'tsx', 'examples/start-run.ts', file, '2026-03-03'], { ...process.env, TEMPORAL_TASK_QUEUE: harness.settings.temporal.taskQueue, TSX_TSCONFIG_PATH: 'tsconfig.build.json' }),
    );
    const { status, stdout, stderr } = await script;
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^started scripted-2026-03-03-\d{8}T\d{6}\n/);
    const printed: Record<string, number> = Object.fromEntries([...stdout.matchAll(/^(\w+): (\d+) rows loaded$/gm)].map((match): [string, number] => [String(match[1]), Number(match[2])]));
    const count = async (table: string) => Number((await harness.warehouse.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
    expect(printed).toEqual({
      customers: await count('analytics.customer_dim'),
      products: await count('analytics.product_dim'),
      sales: await count('analytics.sales_fact'),
      returns: await count('analytics.returns'),
    });
    expect(printed.sales).toBeGreaterThan(0);
  }, 300_000);

  it('fails a run whose written pipeline is invalid at once, naming the field, before any activity', async () => {
    const demo = await writtenDemo();
    const pipeline = { ...demo, name: 'broken-input', tables: demo.tables.map((table, index) => (index === 1 ? { ...table, source: 'products' } : table)) };
    const worker = await harness.worker();
    const handle = await startPipelineRun({ client: harness.client, pipeline, runDate: '2026-03-03', taskQueue: harness.settings.temporal.taskQueue });
    const error = await worker.runUntil(handle.result().then(() => undefined, (caught: unknown) => caught));
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('ConfigError');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect(cause?.message).toContain('pipeline broken-input: invalid workflow input');
    expect(cause?.message).toContain('tables[1].source: expected a schema-qualified name such as raw.customers');
    const history = await handle.fetchHistory();
    const scheduled = history.events?.filter((event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) ?? [];
    expect(scheduled).toEqual([]);
    expect((await handle.describe()).type).toBe(WORKFLOWS.pipelineRun);
  });
});
