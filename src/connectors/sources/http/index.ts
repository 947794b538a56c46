import { ApplicationFailure } from '@temporalio/activity';
import type { SourceConnector } from '../types';
import type { HttpDeps } from './deps';
import { createHttpExtract } from './extract';
import { createHttpPlan } from './plan';

const unsupported = (what: string) => () =>
  Promise.reject(ApplicationFailure.nonRetryable(`an http table has no ${what}: an API page is not a table to read keys from; key references on the warehouse target instead`, 'HttpSourceUnsupported'));

/** A JSON API read page by page (cursor, page number or Link header), incremental through an updated-since parameter. */
export function createHttpSource(deps: HttpDeps): SourceConnector {
  return { ...createHttpPlan(), ...createHttpExtract(deps), extractKeys: unsupported('key set'), extractSourceKeys: unsupported('source key set for deletes') };
}
