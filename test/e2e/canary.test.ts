import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createOrUpdateSchedule } from '../../src/client/schedules';
import { nightlyEtlWorkflow } from '../../src/workflows';
import { startAlertReceiver } from '../support/alert-receiver';
import { waitFor } from '../support/commands';
import { createHarness, forgetPipelineState, resetWarehouse, type Harness } from '../support/harness';

/**
 * Distinctive secrets in every secret-bearing setting: the webhook URL's token, the SNS topic, each database
 * URL's password (three login roles), the AWS secret key. A real worker process runs a succeeding run (with a
 * long-run and a low-quality alert) and a failing one (a failure alert). Then every place that keeps anything
 * is searched: workflow histories with decoded payloads, the schedule's action, the worker's log, manifests
 * and every lake object of those runs (Parquet read back as values). The canaries must appear nowhere.
 */
let harness: Harness;
const tag = randomBytes(4).toString('hex');
const canary = {
  webhook: `CanaryHook${tag}x9`,
  topic: `canaryTopic${tag}`,
  source: `CanarySrcPw${tag}`,
  warehouse: `CanaryWhPw${tag}`,
  replica: `CanaryRepPw${tag}`,
  awsSecret: `CanaryAwsSecret${tag}`,
};
const roles = { source: `etl_canary_src_${tag}`, warehouse: `etl_canary_wh_${tag}`, replica: `etl_canary_rep_${tag}` };

/** JSON of an API object with every payload decoded: bytes as UTF-8, base64 payload data (proto JSON) decoded too. */
function decoded(value: unknown): string {
  return JSON.stringify(value, (key, item: unknown) => {
    if (item instanceof Uint8Array) return Buffer.from(item).toString('utf8');
    if ((key === 'data' || key === 'encoding' || key === 'type') && typeof item === 'string' && /^[A-Za-z0-9+/]+=*$/.test(item)) {
      return `${item} ${Buffer.from(item, 'base64').toString('utf8')}`;
    }
    if (item && typeof item === 'object' && (item as { type?: unknown }).type === 'Buffer' && Array.isArray((item as { data?: unknown }).data)) {
      return Buffer.from((item as { data: number[] }).data).toString('utf8');
    }
    return typeof item === 'bigint' ? item.toString() : item;
  });
}

function hits(text: string): string[] {
  return Object.entries(canary).filter(([, secret]) => text.includes(secret)).map(([name]) => name);
}

/** A stand-in for SNS (AWS_ENDPOINT_URL_SNS), answering Publish in whichever protocol the SDK speaks. */
async function startFakeSns(): Promise<{ server: Server; url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      if (String(request.headers['content-type']).includes('json')) {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ MessageId: 'm-1' }));
      } else {
        response.writeHead(200, { 'content-type': 'text/xml' }).end('<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

function databaseUrl(base: string, role: string, password: string): string {
  const url = new URL(base);
  url.username = role;
  url.password = password;
  return url.toString();
}

function startWorker(env: Record<string, string>, log: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/workers/main.ts'], { env: { ...process.env, ...env, LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  return child;
}

async function lakeText(runIds: string[], dir: string): Promise<string> {
  const s3 = harness.deps.s3;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_STACK.lakeBucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key ?? '').filter((key) => runIds.some((id) => key.includes(id))));
    token = page.NextContinuationToken;
  } while (token);
  expect(keys.some((key) => key.endsWith('_manifest.json'))).toBe(true);
  expect(keys.some((key) => key.includes('raw-data/'))).toBe(true);
  const duckdb = await DuckDBInstance.create(':memory:');
  const connection = await duckdb.connect();
  const texts: string[] = [];
  try {
    for (const [index, key] of keys.entries()) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: LOCAL_STACK.lakeBucket, Key: key }))).Body?.transformToByteArray();
      const bytes = Buffer.from(body ?? new Uint8Array());
      texts.push(key, bytes.toString('utf8'));
      if (key.endsWith('.parquet')) {
        const path = join(dir, `object-${index}.parquet`);
        await writeFile(path, bytes);
        texts.push(decoded((await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`)).getRows()));
      }
    }
  } finally {
    connection.closeSync();
    duckdb.closeSync();
  }
  return texts.join('\n');
}

beforeAll(async () => {
  harness = await createHarness();
  for (const [database, role] of Object.entries(roles)) {
    await harness.source.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${canary[database as keyof typeof roles]}'`);
  }
  await harness.source.query('DROP SCHEMA IF EXISTS test_canary CASCADE; CREATE SCHEMA test_canary');
  await harness.source.query('CREATE TABLE test_canary.events (event_id bigint PRIMARY KEY, amount numeric(10,2), updated_at timestamptz NOT NULL)');
  await harness.source.query('INSERT INTO test_canary.events SELECT i, i * 1.5, now() FROM generate_series(1, 50) i');
  await resetWarehouse(harness.warehouse, ['test_canary_wh']);
  await forgetPipelineState(harness.warehouse, 'canary');
});
afterAll(async () => {
  for (const pool of [harness.source, harness.warehouse, harness.replica]) {
    for (const role of Object.values(roles)) await pool.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER; DROP OWNED BY ${role}`).catch(() => undefined);
  }
  for (const role of Object.values(roles)) await harness.source.query(`DROP ROLE IF EXISTS ${role}`);
  await harness.close();
});

describe('secrets never leave the worker', () => {
  it('leaves no canary in histories, the schedule, the worker log, manifests or the lake', async () => {
    const receiver = await startAlertReceiver();
    const sns = await startFakeSns();
    const dir = await mkdtemp(join(tmpdir(), 'etl-canary-'));
    const taskQueue = `canary-${randomUUID()}`;
    const log: string[] = [];
    const webhook = `${receiver.url.replace(/\/hooks\/.*$/, '')}/services/T0${tag}/B0${tag}/${canary.webhook}`;
    const worker = startWorker({
      TEMPORAL_TASK_QUEUE: taskQueue,
      ETL_CANARY_WEBHOOK: webhook,
      ETL_CANARY_TOPIC: `arn:aws:sns:us-east-1:123456789012:${canary.topic}`,
      SOURCE_DATABASE_URL: databaseUrl(harness.settings.postgres.sourceUrl, roles.source, canary.source),
      WAREHOUSE_DATABASE_URL: databaseUrl(harness.settings.postgres.warehouseUrl, roles.warehouse, canary.warehouse),
      REPLICA_DATABASE_URL: databaseUrl(harness.settings.postgres.replicaUrl, roles.replica, canary.replica),
      AWS_ENDPOINT_URL_SNS: sns.url,
      AWS_ACCESS_KEY_ID: 'AKIAETLCANARYTEST',
      AWS_SECRET_ACCESS_KEY: canary.awsSecret,
      ETL_METRICS_PORT: '0',
    }, log);
    const pipelineWith = (source: string): Pipeline => parsePipeline({
      file: 'canary.yaml',
      text: JSON.stringify({
        name: 'canary',
        lake: { bucket: LOCAL_STACK.lakeBucket },
        tables: [{ name: 'events', source, target: 'test_canary_wh.events', primaryKey: ['event_id'], watermark: 'updated_at', transform: [{ filter: { rule: 'small', keep: 'amount > 15' } }] }],
        alerts: { webhook: { url: 'env:ETL_CANARY_WEBHOOK' }, sns: { topicArn: 'env:ETL_CANARY_TOPIC' }, maxRunMinutes: 0.001, minQualityScore: 0.99 },
        schedule: { cron: '0 3 * * *' },
      }),
    });
    const runIds = [`test-canary-ok-${randomUUID()}`, `test-canary-failed-${randomUUID()}`];
    try {
      const manifest = await harness.client.workflow.execute(nightlyEtlWorkflow, { taskQueue, workflowId: runIds[0] as string, args: [{ pipeline: pipelineWith('test_canary.events'), runDate: '2026-03-01' }] });
      expect(manifest.tables[0]).toMatchObject({ extractedRows: 50, loadedRows: 40, rejectedRows: 10 });
      const failed = await harness.client.workflow.execute(nightlyEtlWorkflow, { taskQueue, workflowId: runIds[1] as string, args: [{ pipeline: pipelineWith('test_canary.missing'), runDate: '2026-03-01' }] }).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(Error);
      // The alerts fired, through both destinations, with the secrets resolved in the worker (on a busy
      // machine the long-run alert may still be on its way when the run returns).
      const kinds = () => [...new Set(receiver.received.map((alert) => alert.body.alert.kind))].sort();
      await waitFor('the failure, long-run and quality alerts', () => Promise.resolve(kinds().length === 3 && sns.bodies.length === receiver.received.length ? true : undefined), 30_000).catch(() => undefined);
      expect(kinds()).toEqual(['failure', 'long-run', 'quality']);
      expect(sns.bodies.length).toBe(receiver.received.length);
      expect(sns.bodies.join('\n')).toContain(canary.topic);

      const { handle } = await createOrUpdateSchedule({ client: harness.client, pipeline: pipelineWith('test_canary.events'), settings: { ...harness.settings, temporal: { ...harness.settings.temporal, taskQueue } } });
      const schedule = decoded(await handle.describe());
      await handle.delete();
      expect(schedule.includes('env:ETL_CANARY_WEBHOOK')).toBe(true);

      const histories: string[] = [];
      for (const id of [...runIds, `${runIds[0]}.events`]) histories.push(decoded(await harness.client.workflow.getHandle(id).fetchHistory()));
      // Decoded: the references are there, so the search below reads what the payloads hold.
      expect(histories.join('\n').includes('env:ETL_CANARY_TOPIC')).toBe(true);
      const lake = await lakeText(runIds, dir);

      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
      const workerLog = log.join('');
      expect(workerLog.includes('activity completed')).toBe(true);

      expect({ histories: hits(histories.join('\n')), schedule: hits(schedule), workerLog: hits(workerLog), lake: hits(lake) }).toEqual({ histories: [], schedule: [], workerLog: [], lake: [] });
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL');
      await receiver.close();
      await new Promise((resolve) => sns.server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
