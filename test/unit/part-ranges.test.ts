import { chooseChunkKey, integerPartEnd } from '../../src/connectors/sources/postgres/part-ranges';

describe('equal key ranges over an integer key', () => {
  it('cuts the span into the asked number of parts, the last one open-ended', () => {
    const range = { low: '1', high: '1000' };
    const ends: (string[] | undefined)[] = [];
    let after: string[] | undefined;
    do {
      const end = integerPartEnd({ range, parts: 3, after });
      ends.push(end);
      after = end;
    } while (after);
    expect(ends).toEqual([['334'], ['668'], undefined]);
  });

  it('resumes from the last key a part ended on, beyond 2^53 too', () => {
    const range = { low: '9007199254740990', high: '9007199254741090' };
    expect(integerPartEnd({ range, parts: 4, after: ['9007199254741015'] })).toEqual(['9007199254741041']);
    expect(integerPartEnd({ range, parts: 4, after: ['9007199254741080'] })).toBeUndefined();
  });

  it('makes one open part of a span narrower than the parts', () => {
    expect(integerPartEnd({ range: { low: '5', high: '5' }, parts: 10 })).toBeUndefined();
  });
});

describe('the chunk key of an extract', () => {
  it('is the leading column of a composite key that starts with an integer, else the whole key', () => {
    expect(chooseChunkKey([{ name: 'order_id', pgType: 'bigint' }, { name: 'line_no', pgType: 'integer' }])).toEqual(['order_id']);
    expect(chooseChunkKey([{ name: 'region', pgType: 'text' }, { name: 'id', pgType: 'bigint' }])).toEqual(['region', 'id']);
    expect(chooseChunkKey([{ name: 'id', pgType: 'uuid' }])).toEqual(['id']);
    expect(chooseChunkKey([{ name: 'id', pgType: 'integer' }])).toEqual(['id']);
    expect(chooseChunkKey([])).toEqual([]);
  });
});
