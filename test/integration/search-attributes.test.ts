import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ensureSearchAttributes } from '../../src/client/search-attributes';
import { loadSettings } from '../../src/config/settings';

describe('the runs\' search attributes', () => {
  it('are registered on a server that lacks them, and left alone when present', async () => {
    const { address, namespace } = loadSettings().temporal;
    const connection = await Connection.connect({ address });
    try {
      await connection.operatorService.removeSearchAttributes({ namespace, searchAttributes: ['EtlRunDate'] });
      expect(await ensureSearchAttributes({ connection, namespace })).toEqual(['EtlRunDate']);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['EtlPipeline', 'EtlRunDate', 'EtlStatus', 'EtlTable']));
      // The run's interval bounds are timestamps, so a query can compare them.
      expect([customAttributes?.EtlIntervalStart, customAttributes?.EtlIntervalEnd]).toEqual([temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME]);
      expect(await ensureSearchAttributes({ connection, namespace })).toEqual([]);
    } finally {
      await connection.close();
    }
  });
});
