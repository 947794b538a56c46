import { readKeyColumns, selectWithdrawnKeys } from '../../src/sql/withdrawn-keys';

describe('withdrawn keys (DuckDB)', () => {
  it('takes the rejected rows\' non-NULL keys, less those a later raw run holds (compared as text)', () => {
    const later = readKeyColumns({ paths: ['/spool/later-0.parquet', "/spool/it's.parquet"], keys: ['order_id', 'line'] });
    expect(later).toBe(`(SELECT "order_id", "line" FROM read_parquet(['/spool/later-0.parquet', '/spool/it''s.parquet'], hive_partitioning = false, union_by_name = true))`);
    expect(selectWithdrawnKeys({ keys: ['order_id', 'line'], rejected: 'rejected_rows', later })).toBe(
      'SELECT DISTINCT r."order_id", r."line" FROM rejected_rows r WHERE r."order_id" IS NOT NULL AND r."line" IS NOT NULL' +
        ` AND NOT EXISTS (SELECT 1 FROM ${later} l WHERE CAST(l."order_id" AS VARCHAR) = CAST(r."order_id" AS VARCHAR) AND CAST(l."line" AS VARCHAR) = CAST(r."line" AS VARCHAR))`,
    );
    expect(selectWithdrawnKeys({ keys: ['id'], rejected: 'rejected_rows' })).toBe('SELECT DISTINCT r."id" FROM rejected_rows r WHERE r."id" IS NOT NULL');
  });
});
