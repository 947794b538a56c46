import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import type { RunInterval } from '../../../common/run-interval';
import type { TableSpec } from '../../../config/pipeline-schema';
import { classifyPostgresError } from '../../../runtime/errors';
import type { SourceColumn } from '../../../sql/pg-types';
import type { NullWatermarkCount } from '../types';
import { selectWindowCount, type ExtractWindow } from './sql';

const TIME_TYPE = /^(date|timestamp(\(\d\))? with(out)? time zone)$/;

/**
 * The window of a `window: interval` table: rows whose event time falls in the run's interval [start, end),
 * and the rows whose event time is NULL (in every window; `nullWatermark` includes or rejects them);
 * an ad-hoc run (no start) goes on from where the table's last committed interval ended (`since`). The
 * watermark saved afterwards is the latest interval end ever loaded, so backfilling an old day never moves it back.
 */
export async function planIntervalWindow(input: { table: TableSpec; pool: Pool; columns: Pick<SourceColumn, 'name' | 'pgType'>[]; since?: string; interval: RunInterval }): Promise<{ window: ExtractWindow; sourceRows: number; nullWatermark: NullWatermarkCount; nextWatermark: string }> {
  const { table, interval } = input;
  const name = table.eventTime ?? table.watermark ?? '';
  const column = input.columns.find((candidate) => candidate.name === name);
  if (!column || !TIME_TYPE.test(column.pgType)) {
    const found = column ? `is ${column.pgType}` : 'does not exist';
    throw ApplicationFailure.create({ message: `table ${table.name}: window: interval cuts on "${name}", which ${found} in ${table.source}; use a date or timestamp column (eventTime:)`, type: 'IntervalColumnInvalid', nonRetryable: true });
  }
  const window: ExtractWindow = { column: name, from: interval.start ?? input.since, to: interval.end, interval: { pgType: column.pgType, timeZone: interval.timeZone } };
  try {
    const row = (await input.pool.query<{ row_count: string; null_rows: string }>(selectWindowCount({ source: table.source, window }))).rows[0];
    const nextWatermark = input.since && input.since > interval.end ? input.since : interval.end;
    const nullWatermark = { policy: table.nullWatermark, rows: Number(row?.null_rows ?? 0) };
    return { window, sourceRows: Number(row?.row_count ?? 0), nullWatermark, nextWatermark };
  } catch (error) {
    throw classifyPostgresError(error, { table: table.name, source: table.source, column: name });
  }
}
