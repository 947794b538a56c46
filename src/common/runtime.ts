/**
 * Node 20 is this project's fixed runtime and every @aws-sdk package is pinned, so the SDK's notice that
 * releases after January 2027 need Node 22 says nothing actionable; keep it out of every command's output.
 */
export function silenceAwsNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
