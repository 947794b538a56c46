import { WorkflowFailedError } from '@temporalio/client';
import { parsePipeline, type Pipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { startAlertReceiver } from '../support/alert-receiver';
import { createHarness, resetWarehouse, type Harness } from '../support/harness';

let harness: Harness;
let receiver: Awaited<ReturnType<typeof startAlertReceiver>>;

/** A one-table pipeline over test_alerts.events (100 rows, 20 with amount <= 30), alerting to the receiver. */
function pipelineWith(input: { alerts: Record<string, unknown>; table?: Record<string, unknown> }): Pipeline {
  const table = { name: 'events', source: 'test_alerts.events', target: 'test_alerts_wh.events', primaryKey: ['event_id'], mode: 'merge', ...input.table };
  // The URL holds a token, so the pipeline names it by reference; the in-process worker resolves it.
  const alerts = { webhook: { url: 'env:ETL_TEST_ALERT_WEBHOOK' }, ...input.alerts };
  return parsePipeline({ file: 'alerts.yaml', text: JSON.stringify({ name: 'alerting', lake: { bucket: LOCAL_STACK.lakeBucket }, tables: [table], alerts }) });
}

const keepLargeAmounts = { transform: [{ filter: { keep: 'amount > 30', rule: 'small_amount' } }] };

beforeAll(async () => {
  harness = await createHarness();
  receiver = await startAlertReceiver();
  process.env.ETL_TEST_ALERT_WEBHOOK = receiver.url;
  await harness.source.query('DROP SCHEMA IF EXISTS test_alerts CASCADE; CREATE SCHEMA test_alerts');
  await harness.source.query('CREATE TABLE test_alerts.events (event_id bigint PRIMARY KEY, amount numeric(10,2), updated_at timestamptz NOT NULL)');
  await harness.source.query('INSERT INTO test_alerts.events SELECT i, i * 1.5, now() FROM generate_series(1, 100) i');
  // Every read of this view takes 2 s, so a run over it outlasts a timer of a few milliseconds by far.
  await harness.source.query('CREATE VIEW test_alerts.slow_events AS SELECT e.* FROM test_alerts.events e CROSS JOIN (SELECT pg_sleep(2)) AS pause');
  await resetWarehouse(harness.warehouse, ['test_alerts_wh']);
});
beforeEach(() => receiver.received.splice(0));
afterAll(async () => {
  await receiver.close();
  await harness.close();
});

describe('alerts from a run, once per run and kind', () => {
  it('a failing run delivers exactly one failure alert naming the cause, and still fails', async () => {
    const failure = await harness.run(pipelineWith({ alerts: {}, table: { source: 'test_alerts.nope' } })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(receiver.received).toHaveLength(1);
    const alert = receiver.received[0]?.body.alert;
    expect(alert).toMatchObject({ kind: 'failure', pipeline: 'alerting', details: { type: 'SourceTableMissing' } });
    expect(alert?.runId).toMatch(/^test-alerting-/);
    expect(alert?.idempotencyKey).toBe(`${alert?.runId}:failure`);
    expect(receiver.received[0]?.body.text).toContain('failed: table events: source test_alerts.nope does not exist in the source database');
  });

  it('a low-quality run delivers exactly one quality alert with the table and its score', async () => {
    const manifest = await harness.run(pipelineWith({ alerts: { minQualityScore: 0.9 }, table: keepLargeAmounts }));
    expect(manifest.tables[0]?.qualityScore).toBe(0.8);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.body.alert).toMatchObject({
      kind: 'quality',
      runId: manifest.runId,
      details: { threshold: 0.9, tables: [{ table: 'events', qualityScore: 0.8, rejectedRows: 20, rejectedByRule: { small_amount: 20 } }] },
    });
    expect(receiver.received[0]?.body.text).toContain('data quality under 90.0%: events 80.0%');
  });

  it('a run at or above the threshold sends nothing', async () => {
    await harness.run(pipelineWith({ alerts: { minQualityScore: 0.8 }, table: keepLargeAmounts }));
    expect(receiver.received).toHaveLength(0);
  });

  it('a run longer than maxRunMinutes delivers one long-run alert and completes', async () => {
    // 0.0005 minutes is 30 ms; the run reads the slow view twice (plan, extract): 4 s at least.
    const manifest = await harness.run(pipelineWith({ alerts: { maxRunMinutes: 0.0005 }, table: { source: 'test_alerts.slow_events' } }));
    expect(manifest.status).toBe('succeeded');
    expect(receiver.received.map((request) => request.body.alert.kind)).toEqual(['long-run']);
    expect(receiver.received[0]?.body.text).toContain('is still running after 0.0005 minutes');
  });
});
