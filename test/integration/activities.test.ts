import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../../src/activities';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { closeClients } from '../../src/workers/clients';
import { testClients } from '../support/stack';

let deps: ActivityDeps;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  deps = await testClients();
  activities = createActivities(deps);
});
afterAll(() => closeClients(deps));

describe('activities against the real local services', () => {
  it('reads the Postgres version of the source and the warehouse', async () => {
    const source = await activities.readServerVersion({ database: 'source' });
    const warehouse = await activities.readServerVersion({ database: 'warehouse' });
    expect(source.version).toMatch(/^17\./);
    expect(warehouse.versionNum).toBeGreaterThanOrEqual(170000);
  });

  it('runs Postgres with logical replication, as CDC needs', async () => {
    const result = await deps.pools.source.query<{ wal_level: string }>('show wal_level');
    expect(result.rows[0]?.wal_level).toBe('logical');
  });

  it('writes an object to the lake and reads the same bytes back', async () => {
    const result = await activities.roundTripObject({ bucket: LOCAL_STACK.lakeBucket, key: 'test/round-trip.txt', body: 'héllo lake' });
    expect(result).toEqual({ uri: `s3://${LOCAL_STACK.lakeBucket}/test/round-trip.txt`, bytes: 11 });
  });

  it('fails terminally, naming the object, when the bucket does not exist', async () => {
    const error = await activities.roundTripObject({ bucket: 'no-such-bucket-here', key: 'k.txt', body: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'S3NoSuchBucket', nonRetryable: true });
    expect((error as Error).message).toContain('s3://no-such-bucket-here/k.txt');
  });

  it('writes Parquet with DuckDB and reads every row back', async () => {
    const result = await activities.roundTripParquet({ name: 'activity-test', rows: 50_000 });
    expect(result.rows).toBe(50_000);
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.duckdbVersion).toMatch(/^v1\./);
  });
});

describe('planning an extract', () => {
  it('cuts parts along the source primary key in key order, or its leading integer column alone', async () => {
    await deps.pools.source.query('DROP SCHEMA IF EXISTS test_plan CASCADE; CREATE SCHEMA test_plan');
    await deps.pools.source.query('CREATE TABLE test_plan.single (id bigint PRIMARY KEY, v text)');
    await deps.pools.source.query('CREATE TABLE test_plan.pair (v text, b int, a int, PRIMARY KEY (a, b))');
    await deps.pools.source.query('CREATE TABLE test_plan.coded (v text, n int, code text, PRIMARY KEY (code, n))');
    const table = (name: string, primaryKey: string[]) => ({ name, source: `test_plan.${name}`, target: `t.${name}`, primaryKey, mode: 'merge' as const, nullWatermark: 'include' as const, window: 'since-last' as const, deletes: 'ignore' as const, dependsOn: [], transform: [], partitionBy: [], rollups: [], types: {}, onSchemaChange: 'fail' as const });
    expect((await activities.planExtract({ table: table('single', ['id']), database: 'source' })).chunkKey).toEqual(['id']);
    // (a, b) with a an integer: parts split on a by arithmetic, each holding whole groups of a.
    expect((await activities.planExtract({ table: table('pair', ['a', 'b']), database: 'source' })).chunkKey).toEqual(['a']);
    expect((await activities.planExtract({ table: table('coded', ['code', 'n']), database: 'source' })).chunkKey).toEqual(['code', 'n']);
  });
});
