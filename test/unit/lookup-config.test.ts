import { loadPipeline, parsePipeline } from '../../src/config';
import { issuesOf } from '../support/config-issues';

const lookup = '{ table: orders, on: [order_id], columns: [ordered_at, priority], rule: unknown_order }';
const pipelineWith = (step: string, dependsOn = '[orders]') => `
name: x
lake: { bucket: my-lake }
tables:
  - { name: orders, source: raw.orders, target: a.orders, primaryKey: [order_id] }
  - { name: lines, source: raw.lines, target: a.lines, primaryKey: [order_id, line_no], dependsOn: ${dependsOn}, transform: [{ lookup: ${step} }] }
`;

describe('lookup step configuration', () => {
  it('accepts a lookup, with reject on a miss by default, renames and onMiss: null', () => {
    expect(parsePipeline({ file: 'p.yaml', text: pipelineWith(lookup) }).tables[1]?.transform[0]).toEqual({
      kind: 'lookup',
      body: { table: 'orders', on: ['order_id'], columns: ['ordered_at', 'priority'], as: {}, rule: 'unknown_order', onMiss: 'reject' },
    });
    const renamed = '{ table: orders, on: [order_id], columns: [ordered_at], as: { ordered_at: order_date }, onMiss: null }';
    expect(parsePipeline({ file: 'p.yaml', text: pipelineWith(renamed) }).tables[1]?.transform[0]).toEqual({
      kind: 'lookup',
      body: { table: 'orders', on: ['order_id'], columns: ['ordered_at'], as: { ordered_at: 'order_date' }, rule: 'lookup_miss', onMiss: null },
    });
  });

  it('refuses a looked-up table that is not in dependsOn, or not in the pipeline', () => {
    expect(issuesOf(pipelineWith(lookup, '[]'))).toEqual(['tables[1].transform[0].lookup.table: "orders" must also be listed in dependsOn so it is loaded first']);
    expect(issuesOf(pipelineWith(lookup.replace('table: orders', 'table: order'), '[orders]'))).toEqual(['tables[1].transform[0].lookup.table: no other table named "order" in this pipeline']);
    expect(issuesOf(pipelineWith(lookup.replace('table: orders', 'table: lines'), '[orders]'))).toEqual(['tables[1].transform[0].lookup.table: no other table named "lines" in this pipeline']);
  });

  it('refuses `on` columns that do not match the looked-up primaryKey', () => {
    expect(issuesOf(pipelineWith(lookup.replace('on: [order_id]', 'on: [order_id, line_no]')))).toEqual([
      'tables[1].transform[0].lookup.on: "orders" has primaryKey (order_id); list 1 column(s) of this table, matched to it in that order',
    ]);
  });

  it('refuses renames of columns it does not add, columns added twice, and missing or malformed fields', () => {
    expect(issuesOf(pipelineWith(lookup.replace('rule:', 'as: { amount: total }, rule:')))).toEqual([
      'tables[1].transform[0].lookup.as.amount: "amount" is not among the looked-up columns (ordered_at, priority); rename only those',
    ]);
    expect(issuesOf(pipelineWith(lookup.replace('rule:', 'as: { priority: ordered_at }, rule:')))).toEqual([
      'tables[1].transform[0].lookup.columns[1]: "ordered_at" would be added twice; rename one with as:',
    ]);
    expect(issuesOf(pipelineWith('{ table: orders, on: [order_id] }'))).toEqual(['tables[1].transform[0].lookup.columns: Invalid input: expected array, received undefined']);
    expect(issuesOf(pipelineWith(lookup.replace('rule: unknown_order', 'onMiss: skip')))).toEqual(['tables[1].transform[0].lookup.onMiss: expected reject or null']);
    expect(issuesOf(pipelineWith(lookup.replace('on: [order_id]', 'on: []')))).toEqual(['tables[1].transform[0].lookup.on: expected at least one column']);
  });

  it('pipelines/lookups.yaml is valid: order lines look up their order and roll up by the looked-up priority', async () => {
    const pipeline = await loadPipeline({ file: 'pipelines/lookups.yaml' });
    const lines = pipeline.tables.find((table) => table.name === 'order_lines');
    expect(lines?.transform[0]?.kind).toBe('lookup');
    expect(lines?.rollups[0]?.groupBy).toEqual(['order_day', 'order_priority']);
  });
});
