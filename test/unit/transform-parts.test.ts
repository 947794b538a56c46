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
    expect(transformsPerPart(rowSteps.tables[0]!)).toBe(true);
    const userSql = parsePipeline({ file: 'p.yaml', text: file('[{ trim: [name] }, { sql: rank.sql }]') });
    expect(transformsPerPart(userSql.tables[0]!)).toBe(false);
  });

  it('runs 4 parts at once unless transform.parallelParts says otherwise, and refuses 0', () => {
    expect(parallelPartsOf(parsePipeline({ file: 'p.yaml', text: file('[]') }))).toBe(4);
    expect(parallelPartsOf(parsePipeline({ file: 'p.yaml', text: file('[]', 'transform: { parallelParts: 2 }') }))).toBe(2);
    expect(() => parsePipeline({ file: 'p.yaml', text: file('[]', 'transform: { parallelParts: 0 }') })).toThrow(/parallelParts/);
  });
});
