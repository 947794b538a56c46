/** A local-stack problem the user can fix: the message is one sentence saying what to install or set. */
export class StackError extends Error {
  override readonly name = 'StackError';
}
