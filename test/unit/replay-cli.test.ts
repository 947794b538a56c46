import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { buildAuditTrail } from '../../src/client/audit-trail';
import { replayHistory } from '../../src/client/replay';

const NIGHTLY = 'test/fixtures/nightly-etl.history.json';
const SALES = 'test/fixtures/table-etl-sales.history.json';
const CHANGED = 'test/fixtures/changed-workflows';

function etl(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/client/cli.ts', ...args], { encoding: 'utf8' });
}

describe('etl replay', () => {
  it('passes on a recorded run and fails on deliberately changed workflow code', async () => {
    const replayed = await replayHistory({ file: NIGHTLY });
    expect(replayed.workflowId).toMatch(/^demo-2026-11-23-/);
    expect(replayed.events).toBe(113);
    await expect(replayHistory({ file: NIGHTLY, workflowsPath: CHANGED })).rejects.toThrow(DeterminismViolationError);
  });

  it('exits 0 on a recorded history and non-zero with one sentence on non-determinism', () => {
    const pass = etl('replay', SALES);
    expect(pass.stdout).toMatch(/replayed 48 events deterministically/);
    expect(pass.status).toBe(0);
    const fail = etl('replay', NIGHTLY, '--workflows', CHANGED);
    expect(fail.status).toBe(1);
    expect(fail.stderr.trim().split('\n')).toEqual([expect.stringMatching(/the workflow code takes a different path than the recorded run \(.*Nondeterminism/)]);
  });
});

describe('etl history (audit trail from the event history)', () => {
  const load = async (file: string) => historyFromJSON(JSON.parse(await readFile(file, 'utf8')));

  it('lists every activity of the recorded table run with attempts, durations, outcome and rows', async () => {
    const history = await load(SALES);
    const trail = buildAuditTrail({ workflowId: 'sales', history });
    const scheduled = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes);
    expect(trail.activities.map((activity) => activity.activity)).toEqual(scheduled.map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name));
    expect(trail.activities.map((activity) => activity.activity)).toEqual(['extractTable', 'extractKeys', 'extractKeys', 'transformTable', 'loadIntoPostgres']);
    for (const activity of trail.activities) {
      expect(activity).toMatchObject({ outcome: 'completed', attempts: 1 });
      expect(activity.seconds).toBeGreaterThanOrEqual(0);
    }
    expect(trail.activities[0]).toMatchObject({ table: 'sales', rows: 100_000 });
    expect(trail.outcome).toBe('completed');
    expect(trail.startedBy).toMatch(/^workflow demo-/);
    // The pause and resume forwarded by the run, and the run's word that customers and products had loaded.
    expect(trail.signals.map((signal) => signal.name)).toEqual(['pause', 'dependencyLoaded', 'dependencyLoaded', 'resume']);
  });

  it('shows who started the run, the signals it received and its child workflows', async () => {
    const trail = buildAuditTrail({ workflowId: 'run', history: await load(NIGHTLY) });
    expect(trail.startedBy).toMatch(/^client /);
    expect(trail.signals.map((signal) => signal.name)).toEqual(['pause', 'resume']);
    expect(trail.children.map((child) => [child.workflowType, child.outcome])).toEqual([
      ['tableEtlWorkflow', 'completed'],
      ['tableEtlWorkflow', 'completed'],
      ['tableEtlWorkflow', 'completed'],
    ]);
    expect(trail.activities.filter((activity) => activity.activity === 'planExtract').map((activity) => activity.table).sort()).toEqual(['customers', 'products', 'sales']);
  });
});
