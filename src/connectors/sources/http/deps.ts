import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ExtractDeps } from '../postgres/extract';

/** What the http source needs: S3, DuckDB and the spool (ExtractDeps), and Secrets Manager for header secrets. */
export type HttpDeps = ExtractDeps & { secretsManager: () => SecretsManagerClient };
