import type { ProgressSummary, RunProgress } from '../workflows/progress';

const clock = (seconds: number) => {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
};
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** One line: a bar, the step, rows and bytes so far, elapsed time, the ETA where known, the tables running. */
export function formatProgressLine(progress: RunProgress & ProgressSummary, width = 24): string {
  const fraction = progress.fraction ?? 0;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
  const active = progress.tables.filter((table) => table.stage !== 'waiting' && table.stage !== 'done').map((table) => `${table.table}:${table.stage}`);
  const planned = progress.rows.planned === undefined ? '' : ` of ${progress.rows.planned}`;
  return [
    bar,
    progress.status === 'paused' ? 'PAUSED' : progress.step,
    `${progress.tablesDone}/${progress.tables.length} tables`,
    `${progress.rows.extracted}${planned} rows`,
    megabytes(progress.bytes),
    `${clock(progress.elapsedSeconds)} elapsed`,
    progress.etaSeconds === undefined ? 'ETA unknown' : `ETA ${clock(progress.etaSeconds)}`,
    ...(active.length > 0 ? [active.join(' ')] : []),
  ].join('  ');
}
