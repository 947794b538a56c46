import type { SourceConnector } from '../types';
import { createPostgresExtract, type ExtractDeps } from './extract';
import { createPostgresPlan } from './plan';
import { extractSourceKeys } from './source-keys';

/** Postgres (RDS / Aurora, or the replica): catalog checks, watermark windows, COPY in key-range parts. */
export function createPostgresSource(deps: ExtractDeps): SourceConnector {
  return { ...createPostgresPlan(deps), ...createPostgresExtract(deps), extractSourceKeys: (input) => extractSourceKeys(deps, input) };
}
