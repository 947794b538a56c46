import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import { AsyncLocalStorageContextManager } from './tracing-context';

export interface Tracing {
  /** Give it to Worker.create and new Client({ plugins }): it adds the client, workflow and activity interceptors. */
  plugin: OpenTelemetryPlugin;
  /** Exports the spans still buffered; runs by itself when the process is about to exit. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing (the seeds' X-Ray) through Temporal's interceptors: a span for starting a workflow,
 * running it, and scheduling and running each activity and child, all in one trace per run. Spans go over
 * OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318; an OpenTelemetry Collector or
 * the AWS Distro forwards them to X-Ray), unless a span processor is given.
 */
export function startTracing(input: { serviceName: string; spanProcessor?: SpanProcessor }): Tracing {
  const resource = new Resource({ 'service.name': process.env.OTEL_SERVICE_NAME ?? input.serviceName });
  const spanProcessor = input.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Global registration also installs the W3C propagator that carries the trace through Temporal headers.
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  let stopped: Promise<void> | undefined;
  const shutdown = () => (stopped ??= provider.shutdown());
  process.once('beforeExit', () => void shutdown());
  return { plugin: new OpenTelemetryPlugin({ resource, spanProcessor }), shutdown };
}

let processTracing: Tracing | undefined;

/** The plugins for a client or worker: tracing's when ETL_TRACING is on (one provider per process), else none. */
export function tracingPlugins(input: { tracing: boolean; serviceName: string }): OpenTelemetryPlugin[] {
  if (!input.tracing) return [];
  processTracing ??= startTracing({ serviceName: input.serviceName });
  return [processTracing.plugin];
}
