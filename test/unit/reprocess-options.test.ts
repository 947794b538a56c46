import { parseReprocessOptions } from '../../src/client/reprocess-command';

const pipeline = { name: 'shop', tables: [{ name: 'customers' }, { name: 'sales' }] } as Parameters<typeof parseReprocessOptions>[0];

describe('etl reprocess options', () => {
  it('covers every day from --from to --to, in order, and every table by default', () => {
    expect(parseReprocessOptions(pipeline, { from: '2026-02-27', to: '2026-03-02' })).toEqual({ days: ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'], tables: ['customers', 'sales'] });
  });

  it('keeps the pipeline order of --tables and accepts spaces around the commas', () => {
    expect(parseReprocessOptions(pipeline, { from: '2026-04-01', to: '2026-04-01', tables: 'sales , customers' }).tables).toEqual(['customers', 'sales']);
  });

  it.each([
    [{ to: '2026-04-01' }, 'etl reprocess: --from is required: expected a run date as YYYY-MM-DD'],
    [{ from: '2026-04-01' }, 'etl reprocess: --to is required: expected a run date as YYYY-MM-DD'],
    [{ from: '2026-02-30', to: '2026-03-01' }, 'etl reprocess: --from "2026-02-30" is not a date: expected a run date as YYYY-MM-DD'],
    [{ from: '2026-04-01', to: '04/02/2026' }, 'etl reprocess: --to "04/02/2026" is not a date: expected a run date as YYYY-MM-DD'],
    [{ from: '2026-04-03', to: '2026-04-01' }, 'etl reprocess: --from 2026-04-03 is after --to 2026-04-01: expected from ≤ to'],
    [{ from: '2025-01-01', to: '2026-01-02' }, 'etl reprocess: --from 2025-01-01 --to 2026-01-02 covers 367 days; reprocess at most 366 days at a time (split the range)'],
    [{ from: '2026-04-01', to: '2026-04-02', tables: 'sales,orders' }, 'etl reprocess: --tables: pipeline shop has no table orders (tables: customers, sales)'],
  ])('refuses %j before anything starts', (options, message) => {
    expect(() => parseReprocessOptions(pipeline, options)).toThrow(message);
  });
});
