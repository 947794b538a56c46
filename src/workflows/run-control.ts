import { condition, defineSignal, getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';

/** Pause a run between steps (tables, levels, extract/transform/load); running steps finish first. */
export const pauseSignal = defineSignal('pause');
/** Resume a paused run. */
export const resumeSignal = defineSignal('resume');

/** The handler descriptions the Web UI and `temporal workflow metadata` show. */
export const PAUSE_DESCRIPTION = 'Pause the run before its next step (running steps finish first); forwarded to its table workflows. The pauseRun update does the same and says whether it took effect.';
export const RESUME_DESCRIPTION = 'Resume a paused run with its next step; forwarded to its table workflows. The resumeRun update does the same and says whether it took effect.';

/** Pause state of one workflow, forwarded to the child workflows it runs so they stop between steps too. */
export interface RunControl {
  isPaused(): boolean;
  /** Pauses or resumes (as the signals do); returns false when it already was in that state. */
  setPaused(paused: boolean): boolean;
  /** Waits here while the run is paused (no history events when it is not). */
  waitIfResumed(): Promise<void>;
  /** Runs a child with its workflow id registered, so pause and resume reach it while it runs. */
  trackChild<T>(workflowId: string, run: () => Promise<T>): Promise<T>;
}

/** Installs the `pause`/`resume` signal handlers of a run or table workflow. */
export function installRunControl(options: { onChange?: (paused: boolean) => void } = {}): RunControl {
  let paused = false;
  const children = new Set<string>();
  const forward = (signal: typeof pauseSignal | typeof resumeSignal) => {
    // A child that finished meanwhile cannot be signalled; that is fine, it has nothing left to pause.
    for (const id of children) getExternalWorkflowHandle(id).signal(signal).catch(() => undefined);
  };
  const setPaused = (next: boolean) => {
    const changed = paused !== next;
    if (changed) options.onChange?.(next);
    paused = next;
    forward(next ? pauseSignal : resumeSignal);
    return changed;
  };
  setHandler(pauseSignal, () => void setPaused(true), { description: PAUSE_DESCRIPTION });
  setHandler(resumeSignal, () => void setPaused(false), { description: RESUME_DESCRIPTION });
  return {
    isPaused: () => paused,
    setPaused,
    waitIfResumed: () => condition(() => !paused),
    async trackChild(workflowId, run) {
      children.add(workflowId);
      try {
        return await run();
      } finally {
        children.delete(workflowId);
      }
    },
  };
}
