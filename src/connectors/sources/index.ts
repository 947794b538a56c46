import type { ExtractDeps } from './postgres/extract';
import { createPostgresSource } from './postgres';
import type { SourceConnector, SourceKind } from './types';

/** Every source kind, by the name a pipeline file gives it. */
export function createSources(deps: ExtractDeps): Record<SourceKind, SourceConnector> {
  return { postgres: createPostgresSource(deps) };
}
