import { CancellationScope, isCancellation, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities, Alert } from '../activities';
import type { AlertsSpec } from '../config/pipeline-schema';
import { failureMessage, failureType } from './failures';
import type { TableRunResult } from './results';

/** Alerts retry for about a minute; one that still cannot be delivered is logged and never fails the run. */
const notify = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '20 seconds', maximumAttempts: 5 },
});

export type RunRef = Pick<Alert, 'pipeline' | 'runId' | 'runDate'>;

/** Sends one alert to every destination the pipeline configures. */
async function sendAlert(alerts: AlertsSpec, alert: Alert): Promise<void> {
  const sends: Promise<unknown>[] = [];
  const summary = (to: string) => ({ summary: `send the ${alert.kind} alert to ${to} (${alert.pipeline}, ${alert.runDate})` });
  if (alerts.webhook) sends.push(notify.sendWebhookAlert.executeWithOptions(summary('the webhook'), [{ ...alert, url: alerts.webhook.url }]));
  if (alerts.sns) sends.push(notify.publishSnsAlert.executeWithOptions(summary('SNS'), [{ ...alert, topicArn: alerts.sns.topicArn }]));
  for (const outcome of await Promise.allSettled(sends)) {
    if (outcome.status === 'rejected') log.warn('alert not delivered', { kind: alert.kind, error: failureMessage(outcome.reason) });
  }
}

/** A failed run alerts once (a cancelled one does not: someone asked for it). */
export async function alertOnFailure(alerts: AlertsSpec | undefined, run: RunRef, error: unknown): Promise<void> {
  if (!alerts || isCancellation(error)) return;
  const details = { type: failureType(error), message: failureMessage(error) };
  await sendAlert(alerts, { ...run, kind: 'failure', summary: `${run.pipeline} run ${run.runId} (run date ${run.runDate}) failed: ${details.message}`, details });
}

/** One alert listing every table whose quality score is under the pipeline's threshold. */
export async function alertOnLowQuality(alerts: AlertsSpec | undefined, run: RunRef, tables: readonly TableRunResult[]): Promise<void> {
  const threshold = alerts?.minQualityScore;
  if (!alerts || threshold === undefined) return;
  const low = tables.filter((table) => table.qualityScore < threshold);
  if (low.length === 0) return;
  const percent = (score: number) => `${(score * 100).toFixed(1)}%`;
  const list = low.map((table) => `${table.table} ${percent(table.qualityScore)}`).join(', ');
  const details = { threshold, tables: low.map(({ table, qualityScore, rejectedRows, rejectedByRule }) => ({ table, qualityScore, rejectedRows, rejectedByRule })) };
  await sendAlert(alerts, { ...run, kind: 'quality', summary: `${run.pipeline} run ${run.runId} (run date ${run.runDate}): data quality under ${percent(threshold)}: ${list}`, details });
}

/**
 * A timer racing the run: when it fires first, one long-run alert goes out and the run carries on. `stop`
 * cancels the timer (or waits for an alert already on its way). Without `maxRunMinutes`: no timer at all.
 */
export function watchRunTime(alerts: AlertsSpec | undefined, run: RunRef): { stop(): Promise<void> } {
  const minutes = alerts?.maxRunMinutes;
  if (!alerts || minutes === undefined) return { stop: () => Promise.resolve() };
  const timer = new CancellationScope();
  const late = timer.run(() => sleep(minutes * 60_000)).then(
    () => sendAlert(alerts, { ...run, kind: 'long-run', summary: `${run.pipeline} run ${run.runId} (run date ${run.runDate}) is still running after ${minutes} minutes`, details: { maxRunMinutes: minutes } }),
    (error: unknown) => {
      if (!isCancellation(error)) throw error;
    },
  );
  return {
    async stop() {
      timer.cancel();
      await late;
    },
  };
}
