import { loadPipeline, parsePipeline } from '../../src/config';
import { resolveReplication } from '../../src/config/replication';
import { formatReplication } from '../../src/client/pipeline-run';
import { startTypeFor } from '../../src/replication/dms/progress';
import { issuesOf } from '../support/config-issues';

const base = `
name: nightly-sales
lake: { bucket: my-lake }
tables:
  - { name: customers, source: raw.customers, target: analytics.customer_dim, primaryKey: [customer_id] }
  - { name: sales, source: raw.sales, target: analytics.sales_fact, primaryKey: [sale_id] }
`;


describe('the replication section of a pipeline file', () => {
  it('derives names from the pipeline name and tables from its source tables', () => {
    const pipeline = parsePipeline({ file: 'p.yaml', text: `${base}replication: { replicator: { type: postgres } }\n` });
    expect(resolveReplication({ ...pipeline, replication: pipeline.replication! })).toEqual({
      replicator: { type: 'postgres', publication: 'etl_nightly_sales_pub', subscription: 'etl_nightly_sales_sub', slot: 'etl_nightly_sales_slot', tables: ['raw.customers', 'raw.sales'] },
      mode: 'full-load-and-cdc',
      lagThreshold: { bytes: 16 * 1024 * 1024, seconds: 60 },
      pollSeconds: 5,
    });
  });

  it('reads the demo pipeline with Postgres logical replication', async () => {
    const demo = await loadPipeline({ file: 'pipelines/demo.yaml' });
    expect(demo.replication).toMatchObject({ mode: 'full-load-and-cdc', replicator: { type: 'postgres', subscription: 'etl_demo_sub' } });
  });

  it('reads a DMS replicator', async () => {
    const pipeline = await loadPipeline({ file: 'pipelines/dms.example.yaml' });
    expect(pipeline.replication?.replicator).toEqual({ type: 'dms', taskArn: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ', reloadTarget: false });
  });

  it('names bad fields', () => {
    expect(issuesOf(`${base}replication: { replicator: { type: dms, taskArn: nope }, mode: snapshot }\n`)).toEqual([
      'replication.replicator.taskArn: expected a DMS replication task ARN',
      'replication.mode: Invalid option: expected one of "full-load"|"cdc"|"full-load-and-cdc"',
    ]);
    expect(issuesOf(`${base}replication: { replicator: { type: postgres, tables: [raw.customers] } }\n`)).toEqual([
      'tables[1].source: raw.sales is extracted from the replica, so replication.replicator.tables must list it',
    ]);
  });
});

describe('DMS start type', () => {
  it('is start-replication the first time, resume-processing after a stop, reload-target when asked, none while running', () => {
    expect(startTypeFor({ Status: 'ready' }, false)).toBe('start-replication');
    expect(startTypeFor({ Status: 'stopped', ReplicationTaskStartDate: new Date() }, false)).toBe('resume-processing');
    expect(startTypeFor({ Status: 'failed', ReplicationTaskStartDate: new Date() }, false)).toBe('resume-processing');
    expect(startTypeFor({ Status: 'stopped', ReplicationTaskStartDate: new Date() }, true)).toBe('reload-target');
    expect(startTypeFor({ Status: 'running' }, true)).toBeUndefined();
  });
});

describe('the replication line of the run summary', () => {
  it('says what was replicated, whether it is in sync and the lag', () => {
    const summary = { replicator: 'postgres logical', mode: 'full-load-and-cdc', action: 'created', inSync: true, tables: 3, rows: 120_150, lag: { bytes: 0, seconds: 0 } };
    expect(formatReplication(summary)).toBe('replication: postgres logical full-load-and-cdc, 3 tables in sync, lag 0 B (created); extracted from the replica');
    expect(formatReplication({ ...summary, lag: { bytes: 3 * 1024 * 1024, seconds: 2.5 } })).toContain('lag 3.0 MiB / 2.5 s');
  });
});
