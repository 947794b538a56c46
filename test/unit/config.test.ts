import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadPipeline, loadSettings, parsePipeline } from '../../src/config';
import { LOCAL_STACK } from '../../src/config/local-stack';
import { issuesOf } from '../support/config-issues';


const valid = `
name: nightly
lake: { bucket: my-lake }
tables:
  - { name: customers, source: raw.customers, target: analytics.customer_dim, primaryKey: [customer_id] }
`;

describe('pipeline file', () => {
  it('reads the demo pipeline with defaults filled in', async () => {
    const pipeline = await loadPipeline({ file: 'pipelines/demo.yaml' });
    expect(pipeline.name).toBe('demo');
    expect(pipeline.warehouse).toEqual({ type: 'postgres' });
    expect(pipeline.duckdb).toEqual({ threads: 2, memoryLimit: '256MB' });
    expect(pipeline.tables.map((table) => table.target)).toEqual(['analytics.customer_dim', 'analytics.product_dim', 'analytics.sales_fact']);
  });

  it('fills defaults for a minimal file', () => {
    const pipeline = parsePipeline({ file: 'p.yaml', text: valid });
    expect(pipeline.tables[0]?.mode).toBe('merge');
    expect(pipeline.lake.prefix).toBe('');
  });

  it('names the file and the field of a bad value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'etl-config-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, valid.replace('primaryKey: [customer_id] }', 'primaryKey: [customer_id], mode: upsert }'));
    const error = await loadPipeline({ file }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(file);
    expect((error as ConfigError).message).toMatch(/tables\[0\]\.mode: .*"full-refresh"\|"incremental"\|"merge"/);
  });

  it('rejects unknown fields by name, so a typo is not silently ignored', () => {
    expect(issuesOf(valid.replace('primaryKey:', 'primaryKye:'))).toEqual(
      expect.arrayContaining(['tables[0].primaryKye: unknown field', expect.stringMatching(/^tables\[0\]\.primaryKey: /)]),
    );
  });

  it('requires a watermark for incremental tables', () => {
    expect(issuesOf(valid.replace('primaryKey: [customer_id] }', 'primaryKey: [customer_id], mode: incremental }'))).toEqual([
      'tables[0].watermark: required when mode is incremental',
    ]);
  });

  it('refuses a lookback without a watermark to look back on', () => {
    expect(issuesOf(valid.replace('primaryKey: [customer_id] }', "primaryKey: [customer_id], lookback: '15 minutes' }"))).toEqual([
      'tables[0].lookback: needs a watermark column to look back on',
    ]);
  });

  it('refuses identifiers that are not plain names', () => {
    expect(issuesOf(valid.replace('raw.customers', 'raw.customers; drop table x'))[0]).toMatch(/^tables\[0\]\.source: expected a schema-qualified name/);
  });

  it('requires exactly one of workgroupName or clusterIdentifier for Redshift', () => {
    const redshift = `${valid}warehouse: { type: redshift, database: dev, iamRoleArn: "arn:aws:iam::1:role/r", workgroupName: a, clusterIdentifier: b }\n`;
    expect(issuesOf(redshift)).toEqual(['warehouse: set exactly one of workgroupName (Serverless) or clusterIdentifier']);
  });

  it('reports YAML syntax errors and missing files', async () => {
    expect(issuesOf('name: [unclosed')[0]).toMatch(/^YAML syntax: /);
    await expect(loadPipeline({ file: 'does/not/exist.yaml' })).rejects.toThrow('does/not/exist.yaml: invalid configuration\n  - file not found');
  });

  it('reads alerts and names the alert field that is wrong', () => {
    const alerts = (text: string) => `${valid}alerts: ${text}\n`;
    const pipeline = parsePipeline({ file: 'p.yaml', text: alerts('{ webhook: { url: "env:SLACK_WEBHOOK_URL" }, maxRunMinutes: 90, minQualityScore: 0.95 }') });
    expect(pipeline.alerts).toEqual({ webhook: { url: 'env:SLACK_WEBHOOK_URL' }, maxRunMinutes: 90, minQualityScore: 0.95 });
    expect(issuesOf(alerts('{ maxRunMinutes: 90 }'))).toEqual(['alerts: set webhook.url or sns.topicArn (or both) so alerts have somewhere to go']);
    expect(issuesOf(alerts('{ webhook: { url: "hooks.slack.com/x" }, minQualityScore: 1.5 }'))).toEqual([
      expect.stringMatching(/^alerts\.webhook\.url: expected an http\(s\) URL, env:VARIABLE or aws-secretsmanager:/),
      expect.stringMatching(/^alerts\.minQualityScore: /),
    ]);
    expect(issuesOf(alerts('{ sns: { topicArn: "etl-alerts" } }'))).toEqual(['alerts.sns.topicArn: expected an SNS topic ARN']);
  });

  it('reports a missing required section', () => {
    expect(issuesOf('name: x\n')).toEqual([expect.stringMatching(/^lake: /)]);
  });
});

describe('environment settings', () => {
  it('defaults to the embedded local stack', () => {
    const settings = loadSettings({});
    expect(settings.temporal).toMatchObject({ address: `127.0.0.1:${LOCAL_STACK.temporalPort}`, embedded: true, namespace: 'default' });
    expect(settings.s3).toMatchObject({ endpoint: `http://127.0.0.1:${LOCAL_STACK.s3Port}`, embedded: true, forcePathStyle: true });
    expect(settings.postgres.embedded).toBe(true);
  });

  it('points at other services when told to', () => {
    const settings = loadSettings({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_API_KEY: 'key',
      S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
      SOURCE_DATABASE_URL: 'postgres://u:p@rds:5432/app',
      WAREHOUSE_DATABASE_URL: 'postgres://u:p@wh:5432/dw',
      REPLICA_DATABASE_URL: 'aws-secretsmanager:replica#url',
    });
    expect(settings.temporal).toMatchObject({ embedded: false, tls: true });
    expect(settings.s3).toMatchObject({ embedded: false, credentials: undefined });
    expect(settings.postgres).toMatchObject({ embedded: false, sourceUrl: 'postgres://u:p@rds:5432/app' });
  });

  it('reads the metrics port, log directory and tracing switch', () => {
    expect(loadSettings({})).toMatchObject({ metrics: { host: '127.0.0.1', port: undefined }, logDir: undefined, tracing: false });
    const settings = loadSettings({ ETL_METRICS_PORT: '9100', ETL_METRICS_HOST: '0.0.0.0', ETL_LOG_DIR: 'logs', ETL_TRACING: '1' });
    expect(settings).toMatchObject({ metrics: { host: '0.0.0.0', port: 9100 }, tracing: true });
    expect(settings.logDir).toMatch(/\/logs$/);
    expect(() => loadSettings({ ETL_METRICS_PORT: 'on' })).toThrow(/ETL_METRICS_PORT: expected a port number/);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadSettings({ S3_ENDPOINT: 'not a url' })).toThrow(/environment: invalid configuration\n {2}- S3_ENDPOINT: /);
    expect(() => loadSettings({ SOURCE_DATABASE_URL: 'mysql://x' })).toThrow(/SOURCE_DATABASE_URL: expected a postgres:\/\/ URL/);
  });
});

describe('deletes', () => {
  it('refuses deletes with a full refresh, naming the field', () => {
    const text = JSON.stringify({ name: 'p', lake: { bucket: 'lake-bucket' }, tables: [{ name: 't', source: 'a.b', target: 'c.d', primaryKey: ['id'], mode: 'full-refresh', deletes: 'propagate' }] });
    expect(() => parsePipeline({ file: 'p.yaml', text })).toThrow(/tables\[0\]\.deletes: a full refresh already removes/);
  });
});
