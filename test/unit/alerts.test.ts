import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import type { Alert } from '../../src/activities';
import { createAlertActivities } from '../../src/activities/alerts';
import { startAlertReceiver } from '../support/alert-receiver';

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

const activities = createAlertActivities({ sns: new SNSClient({ region: 'us-east-1' }), secretsManager: () => new SecretsManagerClient({ region: 'us-east-1' }) });
const alert: Alert = { kind: 'failure', pipeline: 'demo', runId: 'demo-2026-11-22-20261123T010000', runDate: '2026-11-22', summary: 'demo run failed: boom' };
const topicArn = 'arn:aws:sns:us-east-1:123456789012:etl-alerts';

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error,
  );
}

describe('webhook alerts', () => {
  it('posts Slack-compatible JSON with the same idempotency key on every retry', async () => {
    const receiver = await startAlertReceiver();
    try {
      await activities.sendWebhookAlert({ ...alert, url: receiver.url });
      await activities.sendWebhookAlert({ ...alert, url: receiver.url });
      expect(receiver.received.map((request) => request.headers['idempotency-key'])).toEqual([`${alert.runId}:failure`, `${alert.runId}:failure`]);
      const { body } = receiver.received[0] ?? { body: undefined };
      expect(body?.text).toBe(':rotating_light: temporal-etl demo run failed: boom');
      expect(body?.alert).toMatchObject({ kind: 'failure', pipeline: 'demo', runId: alert.runId, runDate: '2026-11-22', idempotencyKey: `${alert.runId}:failure` });
    } finally {
      await receiver.close();
    }
  });

  it('reads the URL from the worker environment with env:NAME', async () => {
    const receiver = await startAlertReceiver();
    process.env.ETL_TEST_WEBHOOK = receiver.url;
    try {
      await activities.sendWebhookAlert({ ...alert, url: 'env:ETL_TEST_WEBHOOK' });
      expect(receiver.received).toHaveLength(1);
    } finally {
      delete process.env.ETL_TEST_WEBHOOK;
      await receiver.close();
    }
  });

  it('fails for good on a rejecting receiver or an unset variable, and retries a server error, never showing the URL path', async () => {
    const statuses = [404, 503];
    const receiver = await startAlertReceiver(() => statuses.shift() ?? 200);
    try {
      const rejected = await failureOf(activities.sendWebhookAlert({ ...alert, url: receiver.url }));
      expect(rejected).toBeInstanceOf(ApplicationFailure);
      expect(rejected).toMatchObject({ type: 'AlertRejected', nonRetryable: true });
      const unavailable = await failureOf(activities.sendWebhookAlert({ ...alert, url: receiver.url }));
      expect(unavailable).not.toBeInstanceOf(ApplicationFailure);
      expect(unavailable.message).toMatch(/answered HTTP 503$/);
      for (const error of [rejected, unavailable]) expect(error.message).not.toContain('s3cr3t');
    } finally {
      await receiver.close();
    }
    const unset = await failureOf(activities.sendWebhookAlert({ ...alert, url: 'env:ETL_NO_SUCH_WEBHOOK' }));
    expect(unset).toMatchObject({ type: 'AlertConfigError', nonRetryable: true, message: 'alert webhook URL (env…): environment variable ETL_NO_SUCH_WEBHOOK is not set' });
  });
});

describe('SNS alerts', () => {
  it('publishes the alert with a subject and attributes to a standard topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await expect(activities.publishSnsAlert({ ...alert, topicArn })).resolves.toEqual({ messageId: 'm-1' });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ TopicArn: topicArn, Subject: 'temporal-etl failure: demo 2026-11-22', MessageAttributes: { kind: { DataType: 'String', StringValue: 'failure' } } });
    expect(input?.MessageDeduplicationId).toBeUndefined();
    expect(JSON.parse(input?.Message ?? '{}')).toMatchObject({ summary: 'demo run failed: boom', idempotencyKey: `${alert.runId}:failure` });
  });

  it('gives a FIFO topic the same deduplication id for a retried alert, a different one for another kind', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const fifo = `${topicArn}.fifo`;
    await activities.publishSnsAlert({ ...alert, topicArn: fifo });
    await activities.publishSnsAlert({ ...alert, topicArn: fifo });
    await activities.publishSnsAlert({ ...alert, kind: 'quality', topicArn: fifo });
    const ids = sns.commandCalls(PublishCommand).map((call) => call.args[0].input.MessageDeduplicationId);
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageGroupId).toBe('demo');
  });

  it('fails for good on a missing topic and retries throttling', async () => {
    sns.on(PublishCommand).rejectsOnce(Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' })).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    expect(await failureOf(activities.publishSnsAlert({ ...alert, topicArn }))).toMatchObject({ type: 'SnsNotFound', nonRetryable: true });
    expect(await failureOf(activities.publishSnsAlert({ ...alert, topicArn }))).not.toBeInstanceOf(ApplicationFailure);
  });
});
