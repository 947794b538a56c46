import { buildLoadBatch, type RedshiftLoadSpec } from '../../src/connectors/targets/redshift/sql';
import { decideSchemaChange, parseType, widens, type SchemaChangeInput } from '../../src/connectors/targets/schema-change';
import { ORDERS_TABLE } from '../support/orders-table';

const existing = [{ name: 'id', type: 'integer' }, { name: 'v', type: 'character varying(10)' }, { name: 'c', type: 'text' }];
const decide = (policy: SchemaChangeInput['policy'], desired: SchemaChangeInput['desired'], dialect: SchemaChangeInput['dialect'] = 'postgres') =>
  decideSchemaChange({ policy, dialect, keys: ['id'], desired, existing });

describe('schema drift decisions', () => {
  it('sees no change when only the spelling of a type differs', () => {
    expect(decide('fail', [{ name: 'id', type: 'int4' }, { name: 'v', type: 'VARCHAR(10)' }, { name: 'c', type: 'text' }])).toBeUndefined();
    expect(parseType('timestamp(3) with time zone')).toEqual(parseType('TIMESTAMPTZ'));
    expect(parseType('DECIMAL(12,2)')).toEqual({ base: 'numeric', args: [12, 2] });
  });

  it('knows which type changes are widenings', () => {
    const widening = (from: string, to: string) => widens(parseType(from), parseType(to));
    expect(widening('integer', 'bigint')).toBe(true);
    expect(widening('bigint', 'integer')).toBe(false);
    expect(widening('integer', 'numeric(12,2)')).toBe(true);
    expect(widening('bigint', 'numeric(12,2)')).toBe(false);
    expect(widening('numeric(10,2)', 'numeric(14,3)')).toBe(true);
    expect(widening('numeric(10,2)', 'numeric(10,3)')).toBe(false);
    expect(widening('numeric(10,2)', 'numeric')).toBe(true);
    expect(widening('character varying(10)', 'character varying(20)')).toBe(true);
    expect(widening('character varying(10)', 'text')).toBe(true);
    expect(widening('text', 'character varying(10)')).toBe(false);
    expect(widening('real', 'double precision')).toBe(true);
    expect(widening('integer', 'text')).toBe(false);
  });

  it('fail refuses any difference, naming every column with its old and new type', () => {
    const decided = decide('fail', [{ name: 'id', type: 'integer' }, { name: 'v', type: 'character varying(20)' }, { name: 'd', type: 'date' }]);
    expect(decided).toEqual({
      refused:
        'column d is new in the source (date); column c (text) is no longer in the source; column v changed type from character varying(10) to character varying(20). ' +
        'Set onSchemaChange: evolve on the table to add new columns, widen compatible types and stop loading dropped ones (their values are kept), or ignore to load only the columns both have',
    });
  });

  it('evolve adds, widens and keeps; refuses what is not a widening, and widening on Redshift', () => {
    const desired = [{ name: 'id', type: 'integer' }, { name: 'v', type: 'character varying(20)' }, { name: 'd', type: 'date' }];
    expect(decide('evolve', desired)).toEqual({
      add: [{ name: 'd', type: 'date' }],
      widen: [{ name: 'v', from: 'character varying(10)', to: 'character varying(20)' }],
      keep: ['c'],
      skip: [],
      notes: ['added column d (date)', 'widened column v from character varying(10) to character varying(20)', 'stopped loading column c: the source no longer has it (its values are kept)'],
    });
    expect(decide('evolve', [{ name: 'id', type: 'integer' }, { name: 'v', type: 'integer' }, { name: 'c', type: 'text' }])).toEqual({
      refused: 'column v changed type from character varying(10) to integer, which is not a widening: alter or rebuild the target column, or carry the value as text with types: { <column>: VARCHAR }',
    });
    const refusal = (decided: ReturnType<typeof decide>) => (decided && 'refused' in decided ? decided.refused : 'not refused');
    expect(refusal(decide('evolve', desired, 'redshift'))).toContain('which redshift cannot widen in place');
    expect(refusal(decide('evolve', [{ name: 'v', type: 'character varying(10)' }, { name: 'c', type: 'text' }]))).toContain('a primary-key column cannot stop being loaded');
  });

  it('ignore skips new columns and keeps dropped ones, changing nothing in the target', () => {
    expect(decide('ignore', [{ name: 'id', type: 'integer' }, { name: 'v', type: 'character varying(10)' }, { name: 'd', type: 'date' }])).toEqual({
      add: [], widen: [], keep: ['c'], skip: ['d'],
      notes: ['not loading new column d (onSchemaChange: ignore)', 'stopped loading column c: the source no longer has it (its values are kept)'],
    });
  });
});

describe('a Redshift load batch with a schema change', () => {
  const spec: RedshiftLoadSpec = {
    ...ORDERS_TABLE,
    columns: [...ORDERS_TABLE.columns, { name: 'note', type: 'VARCHAR' }],
    rollups: [],
    runId: 'run-1',
    s3Prefix: 's3://lake/processed/orders/run-1/',
    iamRoleArn: 'arn:aws:iam::123456789012:role/redshift-copy',
    expected: { rows: 3, keyChecksum: '1' },
    schemaChange: { add: [{ name: 'note', type: 'VARCHAR(65535)' }], widen: [], keep: ['legacy'], skip: [], notes: [] },
  };

  it('adds the column before staging, stages the Parquet layout, and updates in place so kept columns keep their values', () => {
    const batch = buildLoadBatch(spec);
    const alter = batch.indexOf('ALTER TABLE "analytics"."orders" ADD COLUMN "note" VARCHAR(65535)');
    expect(batch[alter - 1]).toMatch(/^CREATE TABLE IF NOT EXISTS "analytics"."orders"/);
    expect(batch[alter + 1]).toBe('CREATE TEMP TABLE etl_stage ("order_id" BIGINT, "amount" DECIMAL(12,2), "sale_date" DATE, "note" VARCHAR(65535))');
    expect(batch[alter + 2]).toMatch(/^COPY "etl_stage" FROM/);
    expect(batch).toContain('UPDATE "analytics"."orders" SET "amount" = etl_stage."amount", "sale_date" = etl_stage."sale_date", "note" = etl_stage."note" FROM etl_stage WHERE "analytics"."orders"."order_id" = etl_stage."order_id"');
    expect(batch).toContain(
      'INSERT INTO "analytics"."orders" ("order_id", "amount", "sale_date", "note") SELECT "order_id", "amount", "sale_date", "note" FROM etl_stage WHERE NOT EXISTS (SELECT 1 FROM "analytics"."orders" t WHERE t."order_id" = etl_stage."order_id")',
    );
    expect(batch.some((sql) => sql.startsWith('DELETE FROM "analytics"."orders"'))).toBe(false);
  });
});
