import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Settings } from './settings';

const PREFIX = 'aws-secretsmanager:';
const ENV_PREFIX = 'env:';

/**
 * Resolves one value: plain text is returned as is; `env:NAME` reads the variable from this process's
 * environment; `aws-secretsmanager:<secret-id>[#<json-key>]` is read from AWS Secrets Manager (a JSON key
 * picks one field of a JSON secret, as RDS-managed secrets store them).
 */
export async function resolveSecret(input: {
  value: string;
  secretsManager: () => SecretsManagerClient;
  env?: NodeJS.ProcessEnv;
}): Promise<string> {
  if (input.value.startsWith(ENV_PREFIX)) {
    const name = input.value.slice(ENV_PREFIX.length);
    const value = (input.env ?? process.env)[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  }
  if (!input.value.startsWith(PREFIX)) return input.value;
  const [secretId = '', jsonKey] = input.value.slice(PREFIX.length).split('#');
  const response = await input.secretsManager().send(new GetSecretValueCommand({ SecretId: secretId }));
  const secret = response.SecretString;
  if (secret === undefined) throw new Error(`secret ${secretId} has no string value`);
  if (jsonKey === undefined) return secret;
  const field: unknown = (JSON.parse(secret) as Record<string, unknown>)[jsonKey];
  if (typeof field !== 'string') throw new Error(`secret ${secretId} has no string field "${jsonKey}"`);
  return field;
}

/** Returns settings with every secret reference replaced by its value. */
export async function resolveSettingsSecrets(input: {
  settings: Settings;
  secretsManager: () => SecretsManagerClient;
}): Promise<Settings> {
  const { settings, secretsManager } = input;
  const resolve = (value: string) => resolveSecret({ value, secretsManager });
  const apiKey = settings.temporal.apiKey;
  return {
    ...settings,
    temporal: { ...settings.temporal, apiKey: apiKey === undefined ? undefined : await resolve(apiKey) },
    postgres: {
      ...settings.postgres,
      sourceUrl: await resolve(settings.postgres.sourceUrl),
      warehouseUrl: await resolve(settings.postgres.warehouseUrl),
      replicaUrl: await resolve(settings.postgres.replicaUrl),
    },
  };
}
