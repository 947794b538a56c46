import { ConfigError, loadPipeline, parsePipeline } from '../../src/config';
import { loadSettings } from '../../src/config/settings';
import { scheduleOptions } from '../../src/client/schedules';
import { nextDay, startOfDayInZone } from '../../src/common/zoned-time';
import { nightlyEtlWorkflow } from '../../src/workflows';

const base = `
name: nightly
lake: { bucket: my-lake }
tables:
  - { name: customers, source: raw.customers, target: analytics.customer_dim, primaryKey: [customer_id] }
`;

function issuesOf(schedule: string): string[] {
  try {
    parsePipeline({ file: 'p.yaml', text: `${base}schedule: ${schedule}\n` });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

describe('the schedule section of a pipeline file', () => {
  it('fills the defaults: UTC, overlapping runs queued (each covers its own day), a one-day catch-up window', () => {
    const pipeline = parsePipeline({ file: 'p.yaml', text: `${base}schedule: { cron: "0 2 * * *" }\n` });
    expect(pipeline.schedule).toEqual({ cron: '0 2 * * *', timezone: 'UTC', overlap: 'buffer-all', catchupWindow: '1d', pauseOnFailure: false });
  });

  it('names the field of a bad cron, time zone, overlap policy or window', () => {
    expect(issuesOf('{ cron: "every night" }')).toEqual([expect.stringMatching(/^schedule\.cron: expected a cron expression/)]);
    expect(issuesOf('{ cron: "0 2 * *" }')).toEqual([expect.stringMatching(/^schedule\.cron: /)]);
    expect(issuesOf('{ cron: "0 2 * * *", timezone: Mars/Olympus }')).toEqual([expect.stringMatching(/^schedule\.timezone: expected an IANA time zone/)]);
    expect(issuesOf('{ cron: "@daily", overlap: queue }')).toEqual([expect.stringMatching(/^schedule\.overlap: /)]);
    expect(issuesOf('{ cron: "@every 10s", catchupWindow: 1 week }')).toEqual([expect.stringMatching(/^schedule\.catchupWindow: expected a duration/)]);
  });

  it('becomes a Temporal Schedule starting nightlyEtlWorkflow with the cron, time zone and policies of the file', async () => {
    const pipeline = await loadPipeline({ file: 'pipelines/demo.yaml' });
    const options = scheduleOptions({ pipeline, settings: loadSettings() });
    expect(options).toMatchObject({
      scheduleId: 'etl-demo',
      spec: { cronExpressions: ['0 2 * * *'], timezone: 'UTC' },
      action: { type: 'startWorkflow', workflowType: nightlyEtlWorkflow, workflowId: 'demo-scheduled', args: [{ pipeline }] },
      policies: { overlap: 'BUFFER_ALL', catchupWindow: '1d', pauseOnFailure: false },
    });
  });
});

describe('days in a time zone (backfill ranges)', () => {
  it('finds the instant a day starts, across daylight saving changes', () => {
    expect(startOfDayInZone('2026-03-01', 'UTC').toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(startOfDayInZone('2026-01-15', 'America/New_York').toISOString()).toBe('2026-01-15T05:00:00.000Z');
    expect(startOfDayInZone('2026-07-15', 'America/New_York').toISOString()).toBe('2026-07-15T04:00:00.000Z');
    expect(startOfDayInZone('2026-07-15', 'Asia/Tokyo').toISOString()).toBe('2026-07-14T15:00:00.000Z');
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(() => startOfDayInZone('15/07/2026', 'UTC')).toThrow(/YYYY-MM-DD/);
  });
});
