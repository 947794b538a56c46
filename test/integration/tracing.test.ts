import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startTracing, tracingPlugins } from '../../src/common/tracing';
import { loadSettings } from '../../src/config';
import { createEtlWorker } from '../../src/workers/create-worker';
import { preflightWorkflow } from '../../src/workflows';
import { createHarness, type Harness } from '../support/harness';
import { testPipeline } from '../support/pipelines';

interface ExportedSpan {
  name: string;
  traceId: string;
  service: string;
}

/** A local OTLP/HTTP receiver (what an OpenTelemetry Collector listens on), keeping the spans it gets. */
async function startOtlpReceiver(): Promise<{ endpoint: string; spans: ExportedSpan[]; close(): void }> {
  const spans: ExportedSpan[] = [];
  type Export = { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string; traceId: string }[] }[] }[] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Export;
      for (const { resource, scopeSpans } of body.resourceSpans) {
        const service = resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of scopeSpans) spans.push(...scope.spans.map(({ name, traceId }) => ({ name, traceId, service })));
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, close: () => server.close() };
}

let harness: Harness;
beforeAll(async () => {
  harness = await createHarness();
});
afterAll(() => harness.close());

describe('tracing (ETL_TRACING=1)', () => {
  it('is off by default: clients and workers get no tracing plugin', () => {
    expect(tracingPlugins({ tracing: loadSettings({}).tracing, serviceName: 'temporal-etl-worker' })).toEqual([]);
  });

  it('exports one trace per run over OTLP: the client start, the workflow run and each activity', async () => {
    const receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
    const tracing = startTracing({ serviceName: 'etl-tracing-test' });
    const connection = await NativeConnection.connect({ address: harness.settings.temporal.address });
    try {
      const worker = await createEtlWorker({ connection, settings: harness.settings, deps: harness.deps, tracing: tracing.plugin });
      const client = new Client({ connection: harness.client.connection, plugins: [tracing.plugin] });
      const workflowId = `test-trace-${randomUUID()}`;
      await worker.runUntil(client.workflow.execute(preflightWorkflow, { taskQueue: harness.settings.temporal.taskQueue, workflowId, args: [{ pipeline: testPipeline() }] }));
      await tracing.shutdown();
      const names = receiver.spans.map((span) => span.name);
      for (const name of ['StartWorkflow:preflightWorkflow', 'RunWorkflow:preflightWorkflow', 'StartActivity:readServerVersion', 'RunActivity:readServerVersion', 'RunActivity:roundTripParquet']) {
        expect(names).toContain(name);
      }
      expect(new Set(receiver.spans.map((span) => span.traceId)).size).toBe(1);
      expect(new Set(receiver.spans.map((span) => span.service))).toEqual(new Set(['etl-tracing-test']));
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      await connection.close();
      receiver.close();
    }
  });
});
