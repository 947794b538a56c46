import { condition, defineSignal, getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';

/** Pause a run between steps (tables, levels, extract/transform/load); running steps finish first. */
export const pauseSignal = defineSignal('pause');
/** Resume a paused run. */
export const resumeSignal = defineSignal('resume');

/** Pause state of one workflow, forwarded to the child workflows it runs so they stop between steps too. */
export interface RunControl {
  isPaused(): boolean;
  /** Waits here while the run is paused (no history events when it is not). */
  waitIfResumed(): Promise<void>;
  /** Runs a child with its workflow id registered, so pause and resume reach it while it runs. */
  trackChild<T>(workflowId: string, run: () => Promise<T>): Promise<T>;
}

export function installRunControl(options: { onChange?: (paused: boolean) => void } = {}): RunControl {
  let paused = false;
  const children = new Set<string>();
  const forward = (signal: typeof pauseSignal | typeof resumeSignal) => {
    // A child that finished meanwhile cannot be signalled; that is fine, it has nothing left to pause.
    for (const id of children) getExternalWorkflowHandle(id).signal(signal).catch(() => undefined);
  };
  setHandler(pauseSignal, () => {
    if (!paused) options.onChange?.(true);
    paused = true;
    forward(pauseSignal);
  });
  setHandler(resumeSignal, () => {
    if (paused) options.onChange?.(false);
    paused = false;
    forward(resumeSignal);
  });
  return {
    isPaused: () => paused,
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

