import type { Command } from 'commander';

const actions = () => import('./control-actions.js');

/** `etl list|status|pause|resume|cancel`: look at and steer runs (also scheduled ones); actions load on use. */
export function addControlCommands(program: Command): void {
  program
    .command('list')
    .option('--pipeline <name>', 'only the runs of this pipeline')
    .option('--limit <n>', 'how many runs (newest first)', '20')
    .description('recent runs: status (Temporal\'s own once a run is closed, so terminated and timed-out runs say so), run date, start, seconds')
    .action(async (options: { pipeline?: string; limit: string }) => (await actions()).printRunList(options));
  program
    .command('status')
    .argument('<workflowId>', 'the run (workflow id), as printed by etl run or shown in the Web UI')
    .option('--follow', 'show live progress until the run ends (Ctrl-C detaches; the run goes on)')
    .description('show a run: its status and, while it runs, its progress (rows through extract, transform and load per table); a finished run shows its summary or error')
    .action(async (workflowId: string, options: { follow?: boolean }) => (await actions()).printRunStatus(workflowId, options));
  for (const [name, effect] of [
    ['pause', 'stops before its next step (running steps finish first)'],
    ['resume', 'continues with its next step'],
  ] as const) {
    program
      .command(name)
      .argument('<workflowId>', 'the run (workflow id)')
      .description(`${name} a run: it ${effect} (the run's ${name}Run update; refused, exit 1, when it would do nothing)`)
      .action(async (workflowId: string) => (await actions()).pauseOrResume(workflowId, name, effect));
  }
  program
    .command('cancel')
    .argument('<workflowId>', 'the run (workflow id)')
    .option('--reason <text>', 'why, recorded in the run\'s history beside who asked (etl history shows both)')
    .option('--no-wait', 'return once the cancellation is requested')
    .description('cancel a run (its cancelRun update): its running step stops, its load rolls back, its lake files are removed; refused, exit 1, once it has ended')
    .action(async (workflowId: string, options: { wait: boolean; reason?: string }) => (await actions()).cancelRun(workflowId, options));
}
