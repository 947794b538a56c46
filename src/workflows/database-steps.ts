import { ActivityCancellationType, condition, proxyActivities } from '@temporalio/workflow';
import type { Activities, StepResult } from '../activities';
import type { DatabaseStep, Pipeline } from '../config/pipeline-schema';
import { placementOf } from '../config/steps-schema';

/** Seconds an activity may run beyond its statement's timeout (connecting, cancelling, polling). */
const MARGIN_SECONDS = 300;

/** The step's activity summary in the Web UI: `database step refresh_summary on warehouse: call analytics.refresh(…) (demo)`. */
export function stepRunSummary(input: { pipeline: string; step: DatabaseStep }): string {
  const { step } = input;
  const what = step.call === undefined ? 'sql' : `call ${step.call.replace(/\(.*$/s, '(…)')}`;
  return `database step ${step.name} on ${step.on}: ${what} (${input.pipeline})`;
}

/** Runs one database step as an activity on the database it names; its statement timeout bounds the activity. */
function runStep(pipeline: Pipeline, runId: string, step: DatabaseStep): Promise<StepResult> {
  const activities = proxyActivities<Activities>({
    startToCloseTimeout: `${step.timeoutSeconds + MARGIN_SECONDS} seconds`,
    heartbeatTimeout: '20 seconds',
    // A cancelled run waits until the statement has been cancelled in the database.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // SQL errors are non-retryable at the adapter edge; only connection errors come back here.
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  });
  const input = { pipeline: pipeline.name, runId, step };
  const { warehouse } = pipeline;
  const summary = { summary: stepRunSummary({ pipeline: pipeline.name, step }) };
  if (step.on === 'warehouse' && warehouse.type === 'redshift') return activities.runRedshiftStep.executeWithOptions(summary, [{ ...input, warehouse }]);
  return activities.runPostgresStep.executeWithOptions(summary, [input]);
}

/** The steps placed between tables, once started. */
export interface BetweenSteps {
  /** Settles when every step the table is placed after has run. */
  before(table: string): Promise<void>;
  /** Every step between tables: rejects with the first failure. */
  all: Promise<void>;
  /** Settles when every step has finished or stopped (a cancelled run waits for it). */
  settled(): Promise<unknown>;
}

/** The steps of one run: those at the start and end run in file order; those between tables wait for their tables. */
export interface StepRun {
  /** Runs the `before: all` (start) or `after: all` (end) steps, one after the other. */
  runAt(at: 'start' | 'end'): Promise<void>;
  /** Starts the steps placed between tables; they wait until `isLoaded` says their `after` tables loaded. */
  startBetween(isLoaded: (table: string) => boolean): BetweenSteps;
  /** What every step that ran did, in the pipeline file's order. */
  results(): StepResult[];
}

/** Plans the run's database steps (workflow code: deterministic, activities only through their types). */
export function planSteps(input: { pipeline: Pipeline; runId: string }): StepRun {
  const { pipeline, runId } = input;
  const done = new Map<string, StepResult>();
  const run = async (step: DatabaseStep) => void done.set(step.name, await runStep(pipeline, runId, step));
  return {
    async runAt(at) {
      for (const step of pipeline.steps) if (placementOf(step).at === at) await run(step);
    },
    startBetween(isLoaded) {
      const started = new Map<string, Promise<void>>();
      for (const step of pipeline.steps) {
        const placement = placementOf(step);
        if (placement.at !== 'tables') continue;
        started.set(step.name, condition(() => placement.after.every(isLoaded)).then(() => run(step)));
      }
      const all = Promise.all(started.values()).then(() => undefined);
      const before = (table: string) => {
        const waits = pipeline.steps.flatMap((step) => (Array.isArray(step.before) && step.before.includes(table) ? [started.get(step.name)] : []));
        return Promise.all(waits.filter((wait): wait is Promise<void> => wait !== undefined)).then(() => undefined);
      };
      return { before, all, settled: () => Promise.allSettled(started.values()) };
    },
    results: () => pipeline.steps.flatMap((step) => done.get(step.name) ?? []),
  };
}
