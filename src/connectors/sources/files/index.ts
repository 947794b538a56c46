import { ApplicationFailure } from '@temporalio/activity';
import type { SourceConnector } from '../types';
import type { FilesDeps } from './deps';
import { createFilesExtract } from './extract';
import { createFilesPlan } from './plan';

const unsupported = (what: string) => () =>
  Promise.reject(ApplicationFailure.nonRetryable(`a files table has no ${what}: files arrive, they are not a table to read keys from; key references on the warehouse target instead`, 'FilesSourceUnsupported'));

/** Files landing under an S3 prefix (CSV, NDJSON, Parquet; gzip or zstd), each object read once (bookmarks). */
export function createFilesSource(deps: FilesDeps): SourceConnector {
  return { ...createFilesPlan(deps), ...createFilesExtract(deps), extractKeys: unsupported('key set'), extractSourceKeys: unsupported('source key set for deletes') };
}
