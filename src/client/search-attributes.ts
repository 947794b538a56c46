import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ETL_SEARCH_ATTRIBUTES } from '../common/search-attributes';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * Registers the runs' search attributes (EtlPipeline, EtlRunDate, EtlStatus, EtlTable) on a server that lacks them;
 * returns the names it added. Temporal Cloud registers them in its console or with tcld instead.
 */
export async function ensureSearchAttributes(input: { connection: Pick<ConnectionLike, 'operatorService'>; namespace: string }): Promise<string[]> {
  const { connection, namespace } = input;
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys({ ...existing.customAttributes, ...existing.systemAttributes }));
  const missing = ETL_SEARCH_ATTRIBUTES.map((key) => key.name).filter((name) => !known.has(name));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])) });
  }
  return missing;
}
