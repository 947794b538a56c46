import type { ProgressSummary, RunProgress } from '../workflows/progress';

const clock = (seconds: number) => {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
};
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** No ETA before there is a rate; while paused the ETA stands still and says so. */
function formatEta(progress: RunProgress & ProgressSummary): string {
  if (progress.etaSeconds === undefined) return 'ETA unknown';
  return `ETA ${clock(progress.etaSeconds)}${progress.status === 'paused' ? ' (paused)' : ''}`;
}

/** One line: a bar, the step, rows and bytes so far, elapsed time, the ETA where known, the tables running. */
export function formatProgressLine(progress: RunProgress & ProgressSummary, width = 24): string {
  const fraction = progress.fraction ?? 0;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%`;
  const active = progress.tables.filter((table) => table.stage !== 'waiting' && table.stage !== 'done').map((table) => `${table.table}:${table.stage}`);
  const planned = progress.rows.planned === undefined ? '' : ` of ${progress.rows.planned}`;
  const { extracted, transformed, loaded } = progress.rows;
  return [
    bar,
    progress.status === 'paused' ? 'PAUSED' : progress.step,
    `${progress.tablesDone}/${progress.tables.length} tables`,
    `rows extracted ${extracted} / transformed ${transformed} / loaded ${loaded}${planned}`,
    megabytes(progress.bytes),
    `${clock(progress.elapsedSeconds)} elapsed`,
    formatEta(progress),
    ...(active.length > 0 ? [active.join(' ')] : []),
  ].join('  ');
}
