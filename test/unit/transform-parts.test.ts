import { parsePipeline } from '../../src/config';
import { parallelPartsOf, transformsPerPart } from '../../src/workflows/transform-parts';

const file = (transform: string, extra = '') => `
name: parts
lake: { bucket: my-lake }
${extra}
tables:
  - name: sales
    source: raw.sales
    target: analytics.sales
    primaryKey: [id]
    transform: ${transform}
`;

describe('which tables transform part by part', () => {
  it('splits a table of per-row and per-key steps, and keeps a table with a sql: step whole', () => {
    const rowSteps = parsePipeline({ file: 'p.yaml', text: file('[{ trim: [name] }, { dedupe: { orderBy: [updated_at] } }, { filter: { rule: positive, keep: "amount > 0" } }]') });
    expect(transformsPerPart(rowSteps.tables[0]!, { chunkKey: ['id'] })).toBe(true);
    const userSql = parsePipeline({ file: 'p.yaml', text: file('[{ trim: [name] }, { sql: rank.sql }]') });
    expect(transformsPerPart(userSql.tables[0]!, { chunkKey: ['id'] })).toBe(false);
    const windowed = parsePipeline({ file: 'p.yaml', text: file('[{ derive: { seq: "row_number() OVER (ORDER BY id)" } }]') });
    expect(transformsPerPart(windowed.tables[0]!, { chunkKey: ['id'] })).toBe(false);
  });

  it('keeps a deduped table whole when the source key its parts are cut on is not within the table key', () => {
    const deduped = parsePipeline({ file: 'p.yaml', text: file('[{ dedupe: { orderBy: [updated_at] } }]') }).tables[0]!;
    // Parts cut on a surrogate source id: one id key's duplicates could sit in two parts.
    expect(transformsPerPart(deduped, { chunkKey: ['row_id'] })).toBe(false);
    expect(transformsPerPart(deduped, { chunkKey: ['id'] })).toBe(true);
    // Without dedupe, each row's outcome is its own: any cut is fine.
    const plain = parsePipeline({ file: 'p.yaml', text: file('[{ trim: [name] }]') }).tables[0]!;
    expect(transformsPerPart(plain, { chunkKey: ['row_id'] })).toBe(true);
  });

  it('runs 4 parts at once unless transform.parallelParts says otherwise, and refuses 0', () => {
    expect(parallelPartsOf(parsePipeline({ file: 'p.yaml', text: file('[]') }))).toBe(4);
    expect(parallelPartsOf(parsePipeline({ file: 'p.yaml', text: file('[]', 'transform: { parallelParts: 2 }') }))).toBe(2);
    expect(() => parsePipeline({ file: 'p.yaml', text: file('[]', 'transform: { parallelParts: 0 }') })).toThrow(/parallelParts/);
  });
});
