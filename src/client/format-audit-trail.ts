import type { AuditTrail } from './audit-trail';

const time = (iso: string | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

/** The audit trail as text: the run, who started it, signals, updates, cancels, terminations and resets, then each activity. */
export function formatAuditTrail(trail: AuditTrail, indent = ''): string[] {
  const seconds = trail.closedAt ? ` in ${((Date.parse(trail.closedAt) - Date.parse(trail.startedAt)) / 1000).toFixed(1)} s` : '';
  const lines = [
    `${indent}${trail.workflowId} (${trail.workflowType}): ${trail.outcome}${seconds}; started ${time(trail.startedAt)} by ${trail.startedBy}`,
    ...trail.signals.map((signal) => `${indent}  signal ${signal.name} at ${time(signal.at)} by ${signal.by}`),
    ...trail.updates.map((update) => `${indent}  update ${update.name} at ${time(update.at)} by ${update.by}${update.reason ? `: ${update.reason}` : ''}`),
    ...trail.interventions.map((step) => `${indent}  ${step.action} at ${time(step.at)} by ${step.by}${step.reason ? `: ${step.reason}` : ''}`),
  ];
  if (trail.activities.length > 0) {
    lines.push(`${indent}  ${'activity'.padEnd(24)}${'table'.padEnd(12)}${'started'.padEnd(22)}${'attempts'.padStart(8)}${'seconds'.padStart(9)}  ${'outcome'.padEnd(10)}${'rows'.padStart(9)}`);
  }
  for (const activity of trail.activities) {
    const detail = activity.error ?? (activity.lastFailure ? `retried after: ${activity.lastFailure}` : '');
    lines.push(
      `${indent}  ${activity.activity.padEnd(24)}${(activity.table ?? '').padEnd(12)}${time(activity.startedAt).padEnd(22)}${String(activity.attempts).padStart(8)}${(activity.seconds?.toFixed(2) ?? '-').padStart(9)}  ${activity.outcome.padEnd(10)}${String(activity.rows ?? '').padStart(9)}${detail ? `  ${detail}` : ''}`,
    );
  }
  return lines;
}
