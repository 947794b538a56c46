/** gRPC errors start with their status: "5 NOT_FOUND: workflow not found for ID: x". */
const GRPC_STATUS = /^\d+ [A-Z_]+: /;
const SCHEDULE_NOT_FOUND = /^workflow not found for ID: temporal-sys-scheduler:(.+)$/;
const WORKFLOW_NOT_FOUND = /^workflow not found for ID: (.+)$/;

/**
 * The sentence a user needs from a failed run: Temporal wraps the real error (workflow → child workflow →
 * activity → application failure), so walk the cause chain to the innermost message.
 */
export function describeError(error: unknown): string {
  let current: unknown = error;
  let message = String(error);
  while (current instanceof Error) {
    message = current.message || message;
    current = current.cause;
  }
  message = message.replace(GRPC_STATUS, '');
  const schedule = SCHEDULE_NOT_FOUND.exec(message);
  if (schedule) return `no schedule ${schedule[1]} on this Temporal namespace (etl schedule list shows them)`;
  const workflow = WORKFLOW_NOT_FOUND.exec(message);
  if (workflow) return `no run ${workflow[1]} on this Temporal namespace (use the workflow id etl run printed, or find it with temporal workflow list)`;
  return message;
}
