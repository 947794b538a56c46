import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStatementCommand, ExecuteStatementCommand, RedshiftDataClient, type ExecuteStatementInput } from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { rawPrefix } from '../../src/common/lake-layout';
import { parsePipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { createRedshiftKeys } from '../../src/connectors/targets/redshift/keys';
import { downloadFile, uploadFile } from '../../src/runtime/lake';
import { createHarness, type Harness } from '../support/harness';
import { openDuckdb } from '../support/duckdb';

let harness: Harness;
const redshift = mockClient(RedshiftDataClient);
const warehouse = { type: 'redshift' as const, database: 'dev', workgroupName: 'wg', secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:x', iamRoleArn: 'arn:aws:iam::1:role/copy' };
const lake = { bucket: LOCAL_STACK.lakeBucket };
const table = parsePipeline({
  file: 'k.yaml',
  text: JSON.stringify({ name: 'keys', lake, tables: [{ name: 'products', source: 'raw.products', target: 'analytics.product_dim', primaryKey: ['product_id'] }] }),
}).tables[0];
const location = { prefix: '', table: 'products', runDate: '2026-01-15', runId: `keys-test-${Date.now()}` };
const prefix = `${rawPrefix(location)}accepted-keys/`;

beforeAll(async () => {
  harness = await createHarness();
});
beforeEach(() => redshift.reset());
afterAll(() => harness.close());

/** Counts the rows and lists the keys of a Parquet key file in the lake. */
async function readKeys(key: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'etl-keys-'));
  try {
    const path = join(dir, 'keys.parquet');
    await downloadFile({ s3: harness.deps.s3, bucket: lake.bucket, key, path });
    const connection = await openDuckdb();
    try {
      return (await connection.runAndReadAll(`SELECT etl_key FROM read_parquet('${path}') ORDER BY 1`)).getRows().map(([value]) => String(value));
    } finally {
      connection.closeAll();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Plays Redshift: UNLOAD finishes, and writes `written` (a Parquet file of these keys) under the prefix, if given. */
function unloadWrites(written?: { name: string; keys: string[] }): string[] {
  const statements: string[] = [];
  redshift.on(ExecuteStatementCommand).callsFake(async (command: ExecuteStatementInput) => {
    statements.push(command.Sql ?? '');
    if (written) {
      const dir = await mkdtemp(join(tmpdir(), 'etl-unload-'));
      const path = join(dir, 'out.parquet');
      const connection = await openDuckdb();
      await connection.run(`COPY (SELECT unnest([${written.keys.map((key) => `'${key}'`).join(', ')}]::VARCHAR[]) AS etl_key) TO '${path}' (FORMAT parquet)`);
      connection.closeAll();
      await uploadFile({ s3: harness.deps.s3, lake, key: `${prefix}${written.name}`, path });
      await rm(dir, { recursive: true, force: true });
    }
    return { Id: 'unload-1' };
  });
  redshift.on(DescribeStatementCommand, { Id: 'unload-1' }).resolves({ Id: 'unload-1', Status: 'FINISHED', HasResultSet: false });
  return statements;
}

describe('extractRedshiftKeys', () => {
  const activities = () => createRedshiftKeys({ ...harness.deps, redshiftData: new RedshiftDataClient({ region: 'us-east-1' }), redshiftPolling: { sleep: () => Promise.resolve(), heartbeat: () => undefined } });

  it("UNLOADs the target's distinct keys to one Parquet file in this run's lake prefix and returns it", async () => {
    const statements = unloadWrites({ name: '000.parquet', keys: ['1', '2', '7'] });
    const result = await activities().extractRedshiftKeys({ table: table!, warehouse, location, lake });
    expect(statements).toEqual([
      `UNLOAD ('SELECT DISTINCT CAST("product_id" AS VARCHAR(65535)) AS etl_key FROM "analytics"."product_dim" WHERE "product_id" IS NOT NULL') TO 's3://${lake.bucket}/${prefix}' IAM_ROLE 'arn:aws:iam::1:role/copy' FORMAT AS PARQUET PARALLEL OFF ALLOWOVERWRITE`,
    ]);
    expect(result.key).toBe(`${prefix}000.parquet`);
    expect(await readKeys(result.key)).toEqual(['1', '2', '7']);
  });

  it('returns an empty key set when the target has no rows and UNLOAD wrote no file', async () => {
    unloadWrites();
    const result = await activities().extractRedshiftKeys({ table: table!, warehouse, location, lake });
    expect(await readKeys(result.key)).toEqual([]);
  });

  it('for a lookup, UNLOADs the looked-up columns next to the keys, under their own prefix; an empty target gives an empty file with those columns', async () => {
    const statements = unloadWrites();
    const result = await activities().extractRedshiftKeys({ table: table!, warehouse, location, lake, columns: ['price', 'category'] });
    const lookupPrefix = `${rawPrefix(location)}lookup-price.category/`;
    expect(statements).toEqual([
      `UNLOAD ('SELECT DISTINCT CAST("product_id" AS VARCHAR(65535)) AS etl_key, "price", "category" FROM "analytics"."product_dim" WHERE "product_id" IS NOT NULL') TO 's3://${lake.bucket}/${lookupPrefix}' IAM_ROLE 'arn:aws:iam::1:role/copy' FORMAT AS PARQUET PARALLEL OFF ALLOWOVERWRITE`,
    ]);
    expect(result.key).toBe(`${lookupPrefix}empty.parquet`);
    const dir = await mkdtemp(join(tmpdir(), 'etl-keys-'));
    try {
      const path = join(dir, 'keys.parquet');
      await downloadFile({ s3: harness.deps.s3, bucket: lake.bucket, key: result.key, path });
      const connection = await openDuckdb();
      try {
        const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
        expect(described.getRows().map(([name]) => String(name))).toEqual(['etl_key', 'price', 'category']);
        expect((await connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${path}')`)).getRows()).toEqual([[0n]]);
      } finally {
        connection.closeAll();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
