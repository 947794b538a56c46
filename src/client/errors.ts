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
  return message;
}
