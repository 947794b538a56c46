import { parsePipeline, type TableSpec } from '../../src/config';
import type { ExtractPlan, PlannedTable } from '../../src/activities';
import { skipReasonOf } from '../../src/workflows/skip-tables';

const tableOf = (extra: Record<string, unknown>): TableSpec => {
  const table = { name: 't', source: 's.t', target: 'w.t', primaryKey: ['id'], mode: 'merge', watermark: 'updated_at', ...extra };
  const pipeline = parsePipeline({ file: 'skip.yaml', text: JSON.stringify({ name: 'skip', lake: { bucket: 'lake' }, tables: [table] }) });
  return pipeline.tables[0] as TableSpec;
};

const mark = { id: 'source:123', rows: 500 };
const emptyPlan: ExtractPlan = { table: 't', source: 's.t', database: 'source', columns: [], chunkKey: ['id'], window: { column: 'updated_at', from: '2026-05-01', to: '2026-05-01' }, sourceRows: 0, sourceMark: mark };
const planned = (plan: Partial<ExtractPlan> = {}, extra: Partial<PlannedTable> = {}): PlannedTable => ({ table: 't', plan: { ...emptyPlan, ...plan }, saved: { watermark: '2026-05-01', sourceMark: mark }, targetExists: true, ...extra });

describe('skipReasonOf', () => {
  it('skips an empty window whose load would save the same watermark and source mark', () => {
    expect(skipReasonOf(tableOf({}), planned())).toBe('empty window');
  });

  it('runs a window with rows, or a load that would save something new', () => {
    expect(skipReasonOf(tableOf({}), planned({ sourceRows: 1 }))).toBeUndefined();
    expect(skipReasonOf(tableOf({}), planned({ nextWatermark: '2026-05-02' }))).toBeUndefined();
    expect(skipReasonOf(tableOf({}), planned({ sourceMark: { id: mark.id, rows: 400 } }))).toBeUndefined();
    expect(skipReasonOf(tableOf({}), planned({ sourceMark: { id: 'source:124', rows: 500 } }))).toBeUndefined();
    expect(skipReasonOf(tableOf({}), planned({}, { saved: {} }))).toBeUndefined();
  });

  it('never skips a full refresh, deletes that propagate or soft-delete, a missing target or a schema change', () => {
    expect(skipReasonOf(tableOf({ mode: 'full-refresh' }), planned())).toBeUndefined();
    expect(skipReasonOf(tableOf({ deletes: 'propagate' }), planned())).toBeUndefined();
    expect(skipReasonOf(tableOf({ deletes: 'soft' }), planned())).toBeUndefined();
    expect(skipReasonOf(tableOf({}), planned({}, { targetExists: false }))).toBeUndefined();
    expect(skipReasonOf(tableOf({}), planned({}, { targetExists: undefined }))).toBeUndefined();
    expect(skipReasonOf(tableOf({}), planned({ schemaChange: { add: [], widen: [], keep: [], skip: ['x'], notes: ['x skipped'] } }))).toBeUndefined();
  });

  it('skips a files table only when no object is new', () => {
    const files = tableOf({ kind: 'files', source: undefined, watermark: undefined, files: { prefix: 'in/', glob: '*.csv', format: 'csv' }, columns: { id: 'BIGINT' } });
    const spec = { prefix: 'in/', glob: '*.csv', format: 'csv', bucket: 'lake' } as never;
    const none = planned({ kind: 'files', files: { spec, files: [], skipped: ['in/old.csv'], quarantinePrefix: 'q/' } }, { saved: {} });
    expect(skipReasonOf(files, none)).toBe('empty window');
    const one = planned({ kind: 'files', files: { spec, files: [{ key: 'in/a.csv', etag: 'e', size: 1 }], skipped: [], quarantinePrefix: 'q/' } }, { saved: {} });
    expect(skipReasonOf(files, one)).toBeUndefined();
  });
});
