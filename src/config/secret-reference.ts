/** How a pipeline names a secret: resolved by the worker, inside the activity that uses it. */
export const SECRET_REFERENCE = /^(env:[A-Za-z_][A-Za-z0-9_]*|aws-secretsmanager:[^\s#]+(#[^\s#]+)?)$/;

export const HOW_TO_REFERENCE =
  'Put the value in the worker\'s environment and write env:NAME, or store it in AWS Secrets Manager and write aws-secretsmanager:<secret-id>[#<json-key>]; the pipeline travels in workflow histories, which keep it forever';

/** Query parameter names that carry credentials. */
const SECRET_PARAM = /^(token|access_?token|api_?key|key|secret|sig|signature|password|pass|auth|code|x-amz-signature)$/i;

/** A path segment that looks like a token: long and random, or mixing letters and digits (Slack's T…/B…/xxxx). */
function looksLikeToken(segment: string): boolean {
  const text = decodeURIComponent(segment);
  if (/^[A-Za-z0-9_-]{20,}$/.test(text)) return true;
  return text.length >= 6 && /[A-Za-z]/.test(text) && /\d/.test(text) && !/^v\d+$/i.test(text);
}

/** Why a literal URL must not be written in a pipeline (credentials, a token in its path or query), or undefined. */
export function secretInUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return 'it holds credentials (user:password@)';
  if ([...url.searchParams].some(([name, param]) => SECRET_PARAM.test(name) || param.length >= 16)) return 'its query string looks like it holds a token';
  if (url.pathname.split('/').some(looksLikeToken)) return 'its path looks like it holds a token (as Slack webhook URLs do)';
  return undefined;
}
