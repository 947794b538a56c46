import { createFilesSource } from './files';
import type { FilesDeps } from './files/deps';
import { createHttpSource } from './http';
import type { HttpDeps } from './http/deps';
import { createPostgresSource } from './postgres';
import type { SourceConnector, SourceKind } from './types';

/** Every source kind, by the name a pipeline file gives it. */
export function createSources(deps: FilesDeps & HttpDeps): Record<SourceKind, SourceConnector> {
  return { postgres: createPostgresSource(deps), files: createFilesSource(deps), http: createHttpSource(deps) };
}
