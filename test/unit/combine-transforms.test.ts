import { combineTransformResults } from '../../src/common/combine-transforms';
import type { TransformResult } from '../../src/transform/transform';

// 2^60 - 1, the largest 60-bit hash: sums of a few exceed Number's exact range, so they must add as BigInt.
const MAX = '1152921504606846975';

function part(index: number, over: Partial<TransformResult>): TransformResult {
  return {
    inputRows: 10, acceptedRows: 10, rejectedRows: 0, rejectedByRule: {},
    columns: [{ name: 'id', type: 'BIGINT' }],
    processed: { bucket: 'lake', prefix: `p/part-0000${index}/`, keys: [`p/part-0000${index}/part-0.parquet`] },
    keyChecksum: MAX, rowChecksum: `v2:${MAX}`, checksumSeconds: 1, qualityScore: 1, processedBytes: 100, seconds: 5,
    ...over,
  };
}

describe('combining per-part transform results', () => {
  it('adds counts, rejections by rule and 60-bit checksum sums exactly, and recomputes the quality score', () => {
    const combined = combineTransformResults({
      table: 'sales',
      processedPrefix: 'p/',
      rejectedPrefix: 'r/',
      seconds: 7,
      results: [
        part(0, { inputRows: 10, acceptedRows: 8, rejectedRows: 2, rejectedByRule: { null_key: 2 }, rejected: { bucket: 'lake', key: 'r/part-00000.parquet' }, columnChecksums: { id: MAX } }),
        part(1, { inputRows: 30, acceptedRows: 27, rejectedRows: 3, rejectedByRule: { bad_amount: 1, null_key: 2 }, keyChecksum: '5', rowChecksum: 'v2:7', columnChecksums: { id: '11' } }),
        part(2, { columnChecksums: { id: MAX } }),
      ],
    });
    expect(combined).toMatchObject({ inputRows: 50, acceptedRows: 45, rejectedRows: 5, processedBytes: 300, checksumSeconds: 3, seconds: 7 });
    expect(combined.rejectedByRule).toEqual({ bad_amount: 1, null_key: 4 });
    // 2 × (2^60 - 1) + 5, written out: 2305843009213693950 + 5.
    expect(combined.keyChecksum).toBe('2305843009213693955');
    expect(combined.rowChecksum).toBe('v2:2305843009213693957');
    expect(combined.columnChecksums).toEqual({ id: '2305843009213693961' });
    expect(combined.qualityScore).toBe(45 / 50);
    expect(combined.processed).toEqual({ bucket: 'lake', prefix: 'p/', keys: ['p/part-00000/part-0.parquet', 'p/part-00001/part-0.parquet', 'p/part-00002/part-0.parquet'] });
    expect(combined.rejected).toEqual({ bucket: 'lake', key: 'r/' });
  });

  it('refuses parts whose row checksums were computed in different forms, or whose columns differ', () => {
    const base = { table: 'sales', processedPrefix: 'p/', rejectedPrefix: 'r/', seconds: 1 };
    expect(() => combineTransformResults({ ...base, results: [part(0, {}), part(1, { rowChecksum: '12' })] })).toThrow(/table sales: step transform: parts computed the row checksum in different forms/);
    expect(() => combineTransformResults({ ...base, results: [part(0, {}), part(1, { columns: [{ name: 'id', type: 'INTEGER' }] })] })).toThrow(/part 1 produced other output columns/);
  });

  it('has no rejected folder when no part rejected a row', () => {
    const combined = combineTransformResults({ table: 'sales', processedPrefix: 'p/', rejectedPrefix: 'r/', seconds: 1, results: [part(0, {}), part(1, {})] });
    expect(combined.rejected).toBeUndefined();
    expect(combined.qualityScore).toBe(1);
  });
});
