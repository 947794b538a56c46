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
    expect(pipeline.duckdb).toEqual({ threads: 2, memoryLimit: '512MB', sessions: 2 });
    expect(pipeline.tables.map((table) => table.target)).toEqual(['analytics.customer_dim', 'analytics.product_dim', 'analytics.sales_fact', 'analytics.returns']);
  });

  it('fills defaults for a minimal file', () => {
    const pipeline = parsePipeline({ file: 'p.yaml', text: valid });
    expect(pipeline.duckdb).toEqual({ threads: 2, memoryLimit: '512MB', sessions: 2 });
    expect(pipeline.tables[0]?.mode).toBe('merge');
    expect(pipeline.lake.prefix).toBe('');
  });

  it('refuses a DuckDB budget that leaves a session less than 64MiB, naming the field', () => {
    const withDuckdb = (settings: string) => valid.replace('lake: { bucket: my-lake }', `lake: { bucket: my-lake }\nduckdb: ${settings}`);
    expect(issuesOf(withDuckdb('{ memoryLimit: 200MB, sessions: 4 }'))).toEqual([
      'duckdb.memoryLimit: 200MB over 4 sessions leaves 47MiB each; a DuckDB session needs at least 64MiB: raise duckdb.memoryLimit or lower duckdb.sessions',
    ]);
    expect(parsePipeline({ file: 'p.yaml', text: withDuckdb('{ memoryLimit: 200MB, sessions: 2 }') }).duckdb).toEqual({ threads: 2, memoryLimit: '200MB', sessions: 2 });
    expect(issuesOf(withDuckdb('{ sessions: 0 }'))[0]).toMatch(/^duckdb\.sessions: /);
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
    expect(issuesOf(alerts('{ sns: { topicArn: "etl-alerts" } }'))).toEqual(['alerts.sns.topicArn: expected an SNS topic ARN, env:VARIABLE or aws-secretsmanager:<secret-id>[#<json-key>]']);
  });

  it('reports a missing required section', () => {
    expect(issuesOf('name: x\n')).toEqual([expect.stringMatching(/^lake: /), 'tables: required: the tables this pipeline moves']);
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

  it('refuses a pipeline with no tables', () => {
    expect(issuesOf('name: x\nlake: { bucket: my-lake }\ntables: []\n')).toEqual(['tables: expected at least one table (a run with none would succeed having moved nothing)']);
  });

  it.each(['etl_state.watermarks', 'pg_catalog.pg_class', 'information_schema.tables', 'ETL_STATE.loads', 'pg_temp.x'])('refuses a target in a reserved schema: %s', (target) => {
    const [issue] = issuesOf(valid.replace('analytics.customer_dim', target));
    expect(issue).toMatch(new RegExp(`^tables\\[0\\]\\.target: ${target.replace('.', '\\.')} is in schema ${target.split('.')[0]}, which the warehouse keeps for .*; choose another schema$`));
  });

  it('refuses two tables, or a table and a rollup, writing the same target', () => {
    const text = `${valid}  - { name: orders, source: raw.orders, target: Analytics.Customer_Dim, primaryKey: [order_id], rollups: [{ target: analytics.customer_dim, refreshBy: order_id, groupBy: [order_id], measures: { n: "count(*)" } }] }\n`;
    expect(issuesOf(text)).toEqual([
      'tables[1].target: Analytics.Customer_Dim is already written by tables[0].target; each table and rollup needs its own target',
      'tables[1].rollups[0].target: analytics.customer_dim is already written by tables[0].target; each table and rollup needs its own target',
    ]);
  });

  it('refuses references whose columns do not match the referenced key, naming the step and the key', () => {
    const text = `
name: x
lake: { bucket: my-lake }
tables:
  - { name: lines, source: raw.lines, target: a.lines, primaryKey: [order_id, line_no] }
  - { name: notes, source: raw.notes, target: a.notes, primaryKey: [note_id], dependsOn: [lines], transform: [{ references: { rule: unknown_line, column: order_id, table: lines } }] }
`;
    expect(issuesOf(text)).toEqual(['tables[1].transform[0].references.column: "lines" has a composite primaryKey (order_id, line_no); list 2 columns, matched to it in that order: column: [order_id, line_no]']);
    expect(parsePipeline({ file: 'p.yaml', text: text.replace('column: order_id,', 'column: [order_id, line_no],') }).tables[1]?.transform[0]).toEqual({
      kind: 'references',
      body: { rule: 'unknown_line', column: ['order_id', 'line_no'], table: 'lines' },
    });
    const single = text.replace('primaryKey: [order_id, line_no]', 'primaryKey: [line_id]').replace('column: order_id,', 'column: [order_id, line_no],');
    expect(issuesOf(single)).toEqual(['tables[1].transform[0].references.column: "lines" has a single-column primaryKey (line_id); give one column']);
  });

  it('names a dependsOn typo once, without calling it a cycle', () => {
    const text = `${valid}  - { name: orders, source: raw.orders, target: analytics.orders, primaryKey: [order_id], dependsOn: [customer] }\n`;
    expect(issuesOf(text)).toEqual(['tables[1].dependsOn[0]: no other table named "customer" in this pipeline']);
  });

  it('still finds a real cycle', () => {
    const text = `
name: x
lake: { bucket: my-lake }
tables:
  - { name: a, source: raw.a, target: w.a, primaryKey: [id], dependsOn: [b] }
  - { name: b, source: raw.b, target: w.b, primaryKey: [id], dependsOn: [a] }
`;
    expect(issuesOf(text)).toEqual(['tables: dependsOn forms a cycle among a, b']);
  });

  it('shows a bad rollup measure and the forms it may take', () => {
    const text = `${valid.trimEnd().slice(0, -2)}, rollups: [{ target: analytics.daily, refreshBy: region, groupBy: [region], measures: { total: "sum(amount) AS x" } }] }\n`;
    expect(issuesOf(text)).toEqual(['tables[0].rollups[0].measures.total: "sum(amount) AS x" is not a rollup measure: expected count(*), count(column), count(distinct column), sum(column), min(column) or max(column)']);
  });

  it.each([
    ['credentials', 'https://alerts:hunter2@hooks.example.com/etl', 'it holds credentials (user:password@)'],
    ['a Slack token path', 'https://hooks.slack.com/services/T0ABCDEF1/B0ABCDEF2/xAbCdEfGhIjKlMnOpQrStUvWx', 'its path looks like it holds a token (as Slack webhook URLs do)'],
    ['a short token segment', 'http://127.0.0.1:9999/hooks/s3cr3t', 'its path looks like it holds a token (as Slack webhook URLs do)'],
    ['a token parameter', 'https://hooks.example.com/etl?token=abc', 'its query string looks like it holds a token'],
  ])('refuses a literal webhook URL with %s, saying how to reference it', (_name, url, why) => {
    const [issue] = issuesOf(`${valid}alerts: { webhook: { url: "${url}" } }\n`);
    expect(issue).toBe(`alerts.webhook.url: a literal webhook URL is refused: ${why}. Put the value in the worker's environment and write env:NAME, or store it in AWS Secrets Manager and write aws-secretsmanager:<secret-id>[#<json-key>]; the pipeline travels in workflow histories, which keep it forever`);
  });

  it('accepts references, and plain URLs that hold no secret', () => {
    for (const url of ['env:SLACK_WEBHOOK_URL', 'aws-secretsmanager:etl/alerts#webhook', 'https://alerts.example.com/v2/etl-events']) {
      expect(parsePipeline({ file: 'p.yaml', text: `${valid}alerts: { webhook: { url: "${url}" } }\n` }).alerts?.webhook?.url).toBe(url);
    }
    const sns = parsePipeline({ file: 'p.yaml', text: `${valid}alerts: { sns: { topicArn: "env:ETL_ALERT_TOPIC" } }\n` });
    expect(sns.alerts?.sns?.topicArn).toBe('env:ETL_ALERT_TOPIC');
  });
});

describe('deletes', () => {
  it('refuses deletes with a full refresh, naming the field', () => {
    const text = JSON.stringify({ name: 'p', lake: { bucket: 'lake-bucket' }, tables: [{ name: 't', source: 'a.b', target: 'c.d', primaryKey: ['id'], mode: 'full-refresh', deletes: 'propagate' }] });
    expect(() => parsePipeline({ file: 'p.yaml', text })).toThrow(/tables\[0\]\.deletes: a full refresh already removes/);
  });
});

describe('heartbeat timeout', () => {
  const text = (extra: Record<string, unknown>) => JSON.stringify({ name: 'p', lake: { bucket: 'lake-bucket' }, ...extra, tables: [{ name: 't', source: 'a.b', target: 'c.d', primaryKey: ['id'] }] });

  it('keeps the proxies\' 20 s unless heartbeatTimeoutSeconds is set', () => {
    expect(parsePipeline({ file: 'p.yaml', text: text({}) }).heartbeatTimeoutSeconds).toBeUndefined();
    expect(parsePipeline({ file: 'p.yaml', text: text({ heartbeatTimeoutSeconds: 8 }) }).heartbeatTimeoutSeconds).toBe(8);
  });

  it.each([0, 7, 8.5, '20'])('refuses heartbeatTimeoutSeconds: %j, naming the field', (seconds) => {
    expect(() => parsePipeline({ file: 'p.yaml', text: text({ heartbeatTimeoutSeconds: seconds }) })).toThrow(/heartbeatTimeoutSeconds: /);
  });
});

describe('lake retention', () => {
  const text = (lake: Record<string, unknown>) => JSON.stringify({ name: 'p', lake: { bucket: 'lake-bucket', ...lake }, tables: [{ name: 't', source: 'a.b', target: 'c.d', primaryKey: ['id'] }] });

  it('reads retainRawDays in whole days, and keeps raw data forever without it', () => {
    expect(parsePipeline({ file: 'p.yaml', text: text({ retainRawDays: 30 }) }).lake.retainRawDays).toBe(30);
    expect(parsePipeline({ file: 'p.yaml', text: text({}) }).lake.retainRawDays).toBeUndefined();
  });

  it.each([0, 1.5, -3, '30'])('refuses retainRawDays: %j, naming the field', (days) => {
    expect(() => parsePipeline({ file: 'p.yaml', text: text({ retainRawDays: days }) })).toThrow(/lake\.retainRawDays: /);
  });
});
