import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ETL_SEARCH_ATTRIBUTES, searchAttributeTypeName } from '../common/search-attributes';

const { INDEXED_VALUE_TYPE_KEYWORD: KEYWORD, INDEXED_VALUE_TYPE_DATETIME: DATETIME } = temporal.api.enums.v1.IndexedValueType;

/**
 * Registers the runs' search attributes (EtlPipeline, EtlRunDate, EtlStatus, EtlTable, EtlIntervalStart/End) on a server that lacks them;
 * returns the names it added. Temporal Cloud registers them in its console or with tcld instead.
 */
export async function ensureSearchAttributes(input: { connection: Pick<ConnectionLike, 'operatorService'>; namespace: string }): Promise<string[]> {
  const { connection, namespace } = input;
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys({ ...existing.customAttributes, ...existing.systemAttributes }));
  const missing = ETL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length > 0) {
    const searchAttributes = Object.fromEntries(missing.map((key) => [key.name, searchAttributeTypeName(key) === 'Datetime' ? DATETIME : KEYWORD]));
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  }
  return missing.map((key) => key.name);
}
