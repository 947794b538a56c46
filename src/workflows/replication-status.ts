import type { ReplicationProgress, ReplicationState, TableProgress } from '../activities';
import type { ReplicationSpec } from '../config/replication';

/** A lag reading over the threshold; the operations issue routes these to alert channels. */
export interface LagAlert {
  at: string;
  bytes?: number;
  seconds?: number;
}

/** What the `progress` query answers and the workflow returns. */
export interface ReplicationStatus {
  replicator: string;
  mode: ReplicationSpec['mode'];
  state: ReplicationState;
  inSync: boolean;
  tables: TableProgress[];
  rows: number;
  lag: { bytes?: number; seconds?: number };
  /** True while lag is over replication.lagThreshold. */
  lagAlert: boolean;
  /** The latest readings that crossed the threshold (at most 10). */
  alerts: LagAlert[];
  polls: number;
  startedAt: string;
  action?: string;
  detail?: string;
  /** Set when the workflow ends: loaded (full load done), in-sync (caught up, CDC left running) or stopped. */
  outcome?: 'loaded' | 'in-sync' | 'stopped';
}

export function initialStatus(input: { label: string; spec: ReplicationSpec; startedAt: string }): ReplicationStatus {
  return { replicator: input.label, mode: input.spec.mode, state: 'starting', inSync: false, tables: [], rows: 0, lag: {}, lagAlert: false, alerts: [], polls: 0, startedAt: input.startedAt };
}

export function isLagOver(lag: ReplicationProgress['lag'], threshold: ReplicationSpec['lagThreshold']): boolean {
  return (lag.bytes ?? 0) > threshold.bytes || (lag.seconds ?? 0) > threshold.seconds;
}

/** The status after one look at the replication; an alert is recorded when lag crosses the threshold. */
export function nextStatus(input: { status: ReplicationStatus; progress: ReplicationProgress; spec: ReplicationSpec; now: string }): ReplicationStatus {
  const { status, progress } = input;
  const lagAlert = isLagOver(progress.lag, input.spec.lagThreshold);
  const alerts = lagAlert && !status.lagAlert ? [...status.alerts, { at: input.now, ...progress.lag }].slice(-10) : status.alerts;
  return { ...status, state: progress.state, inSync: progress.inSync, tables: progress.tables, rows: progress.rows, lag: progress.lag, lagAlert, alerts, polls: status.polls + 1, detail: progress.detail };
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 0 B, 12.0 KiB, 3.4 MiB: lag in bytes for people. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
