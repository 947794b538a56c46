import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { redactText, redactUrl } from '../../src/common/redact';
import { loadSettings, resolveSettingsSecrets } from '../../src/config';
import { resolveSecret } from '../../src/config/secrets';

const secretsManager = mockClient(SecretsManagerClient);

afterEach(() => secretsManager.reset());

describe('secret references', () => {
  it('leaves plain values alone and never calls AWS for them', async () => {
    await expect(resolveSecret({ value: 'postgres://a@b/c', secretsManager: () => new SecretsManagerClient({}) })).resolves.toBe('postgres://a@b/c');
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('reads a field of a JSON secret', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'rds/source' }).resolves({ SecretString: '{"url":"postgres://u:s3cret@rds/app"}' });
    const settings = await resolveSettingsSecrets({
      settings: loadSettings({ SOURCE_DATABASE_URL: 'aws-secretsmanager:rds/source#url' }),
      secretsManager: () => new SecretsManagerClient({ region: 'us-east-1' }),
    });
    expect(settings.postgres.sourceUrl).toBe('postgres://u:s3cret@rds/app');
  });

  it('says which secret lacks the field', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"other":"x"}' });
    await expect(
      resolveSecret({ value: 'aws-secretsmanager:rds/source#url', secretsManager: () => new SecretsManagerClient({ region: 'us-east-1' }) }),
    ).rejects.toThrow('secret rds/source has no string field "url"');
  });
});

describe('redaction', () => {
  it('hides passwords in URLs and in free text', () => {
    expect(redactUrl('postgres://etl:hunter2@db:5432/source')).toBe('postgres://etl:***@db:5432/source');
    expect(redactText('connect postgres://etl:hunter2@db:5432/source failed')).toBe('connect postgres://etl:***@db:5432/source failed');
  });
});
