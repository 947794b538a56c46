import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApplicationFailure } from '@temporalio/activity';
import { resolveSecret } from '../config/secrets';
import { alertKey, fifoFields, snsMessage, webhookBody, type Alert } from './alert-messages';
import { classifySnsError } from '../runtime/errors';
import { currentContext } from '../runtime/heartbeat';

export interface AlertDeps {
  sns: SNSClient;
  /** Built on first use: only needed when a webhook URL is an aws-secretsmanager: reference. */
  secretsManager: () => SecretsManagerClient;
}

/** Resolves a reference in the worker; an unset variable or secret is a configuration error, not worth a retry. */
async function resolveSetting(deps: AlertDeps, input: { value: string; what: string }): Promise<string> {
  try {
    return await resolveSecret({ value: input.value, secretsManager: deps.secretsManager });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw ApplicationFailure.nonRetryable(`${input.what} (${input.value.split(':')[0]}…): ${reason}`, 'AlertConfigError');
  }
}

async function resolveUrl(deps: AlertDeps, value: string): Promise<URL> {
  const resolved = await resolveSetting(deps, { value, what: 'alert webhook URL' });
  try {
    return new URL(resolved);
  } catch {
    // The value itself may be the secret: never echo it.
    throw ApplicationFailure.nonRetryable('alert webhook URL: the resolved value is not a URL', 'AlertConfigError');
  }
}

export function createAlertActivities(deps: AlertDeps) {
  return {
    /** Posts an alert as Slack-compatible JSON; its Idempotency-Key header is the same on every retry. */
    async sendWebhookAlert(input: Alert & { url: string }): Promise<{ status: number }> {
      const { url: reference, ...alert } = input;
      const url = await resolveUrl(deps, reference);
      const signal = currentContext()?.cancellationSignal;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': alertKey(alert) },
        body: JSON.stringify(webhookBody(alert)),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(15_000)]) : AbortSignal.timeout(15_000),
      }).catch((error: unknown) => {
        // The URL's path may hold a token: name only the host.
        throw new Error(`alert webhook ${url.host}: ${error instanceof Error ? error.message : String(error)}`);
      });
      await response.body?.cancel();
      if (response.ok) return { status: response.status };
      const message = `alert webhook ${url.host} answered HTTP ${response.status}`;
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        throw ApplicationFailure.nonRetryable(message, 'AlertRejected');
      }
      throw new Error(message);
    },

    /** Publishes an alert to an SNS topic (email, SMS, PagerDuty, Lambda subscribers); FIFO topics deduplicate it. */
    async publishSnsAlert(input: Alert & { topicArn: string }): Promise<{ messageId?: string }> {
      const { topicArn: reference, ...alert } = input;
      const topicArn = await resolveSetting(deps, { value: reference, what: 'alert SNS topic' });
      const { subject, message } = snsMessage(alert);
      try {
        const output = await deps.sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: subject,
            Message: message,
            MessageAttributes: {
              kind: { DataType: 'String', StringValue: alert.kind },
              pipeline: { DataType: 'String', StringValue: alert.pipeline },
            },
            ...fifoFields(topicArn, alert),
          }),
        );
        return { messageId: output.MessageId };
      } catch (error) {
        // The topic may be a resolved secret: name the reference, never the value.
        throw classifySnsError(error, { topic: reference.startsWith('arn:') ? reference : reference.split(':')[0], kind: alert.kind });
      }
    },
  };
}
