import { createHash } from 'node:crypto';

export type AlertKind = 'failure' | 'long-run' | 'quality';

/** One alert about one run; the workflow decides to send it at most once per run and kind. */
export interface Alert {
  kind: AlertKind;
  pipeline: string;
  runId: string;
  runDate: string;
  /** One readable sentence: what happened, to which run. */
  summary: string;
  details?: Record<string, unknown>;
}

const ICONS: Record<AlertKind, string> = { failure: ':rotating_light:', 'long-run': ':hourglass:', quality: ':warning:' };

/** The same key for every retry of one alert, so a receiver (or an SNS FIFO topic) drops repeats. */
export function alertKey(alert: Alert): string {
  return `${alert.runId}:${alert.kind}`;
}

/** Slack-compatible JSON (`text` is what Slack shows); the structured alert rides along for other receivers. */
export function webhookBody(alert: Alert): Record<string, unknown> {
  return {
    text: `${ICONS[alert.kind]} temporal-etl ${alert.summary}`,
    alert: { ...alert, idempotencyKey: alertKey(alert) },
  };
}

/** SNS subject (at most 100 characters, no line breaks) and a JSON message for subscribers. */
export function snsMessage(alert: Alert): { subject: string; message: string } {
  const subject = `temporal-etl ${alert.kind}: ${alert.pipeline} ${alert.runDate}`.replace(/[\r\n]/g, ' ').slice(0, 100);
  return { subject, message: JSON.stringify({ ...alert, idempotencyKey: alertKey(alert) }) };
}

/** FIFO topics need a group and deduplicate by id for five minutes; standard topics take neither. */
export function fifoFields(topicArn: string, alert: Alert): { MessageGroupId?: string; MessageDeduplicationId?: string } {
  if (!topicArn.endsWith('.fifo')) return {};
  return { MessageGroupId: alert.pipeline, MessageDeduplicationId: createHash('sha256').update(alertKey(alert)).digest('hex') };
}
