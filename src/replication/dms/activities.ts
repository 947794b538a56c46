import {
  DescribeReplicationTasksCommand, DescribeTableStatisticsCommand, StartReplicationTaskCommand, StopReplicationTaskCommand,
  type DatabaseMigrationServiceClient, type ReplicationTask, type TableStatistics,
} from '@aws-sdk/client-database-migration-service';
import { ApplicationFailure } from '@temporalio/activity';
import type { DmsReplicatorSpec } from '../../config/replication';
import { classifyDmsError } from './errors';
import { progressOfTask, startTypeFor } from './progress';
import type { DmsReplicationInput, ReplicationCheck, ReplicationProgress, ReplicationStart } from '../types';

export interface DmsDeps {
  /** A DMS client for a region, built once per region by the worker. */
  dms: { forRegion(region: string): DatabaseMigrationServiceClient; destroy(): void };
}

/** The region a task lives in: the spec's, else the one in its ARN (arn:aws:dms:<region>:…). */
function regionOf(spec: DmsReplicatorSpec): string {
  return spec.region ?? spec.taskArn.split(':')[3] ?? 'us-east-1';
}

export function createDmsActivities(deps: DmsDeps) {
  const call = async <T>(spec: DmsReplicatorSpec, name: string, send: (client: DatabaseMigrationServiceClient) => Promise<T>): Promise<T> => {
    try {
      return await send(deps.dms.forRegion(regionOf(spec)));
    } catch (error) {
      throw classifyDmsError(error, { taskArn: spec.taskArn, call: name });
    }
  };
  const describeTask = async (spec: DmsReplicatorSpec): Promise<ReplicationTask> => {
    const filter = { Filters: [{ Name: 'replication-task-arn', Values: [spec.taskArn] }], WithoutSettings: true };
    const { ReplicationTasks: tasks = [] } = await call(spec, 'DescribeReplicationTasks', (client) => client.send(new DescribeReplicationTasksCommand(filter)));
    const [task] = tasks;
    if (!task) throw classifyDmsError(Object.assign(new Error('no task matches the ARN'), { name: 'ResourceNotFoundFault' }), { taskArn: spec.taskArn, call: 'DescribeReplicationTasks' });
    return task;
  };
  const describeTables = async (spec: DmsReplicatorSpec): Promise<TableStatistics[]> => {
    const tables: TableStatistics[] = [];
    let marker: string | undefined;
    do {
      const page = await call(spec, 'DescribeTableStatistics', (client) => client.send(new DescribeTableStatisticsCommand({ ReplicationTaskArn: spec.taskArn, Marker: marker })));
      tables.push(...(page.TableStatistics ?? []));
      marker = page.Marker;
    } while (marker);
    return tables;
  };
  return {
    /** Checks the task exists and its migration type is the mode asked for, before anything starts. */
    async checkDmsTask(input: DmsReplicationInput): Promise<ReplicationCheck> {
      const task = await describeTask(input.replicator);
      if (task.MigrationType !== input.mode) {
        const message = `replication: DMS task ${input.replicator.taskArn} is a ${task.MigrationType ?? 'unknown'} task, but replication.mode is ${input.mode}`;
        throw ApplicationFailure.create({ message, type: 'DmsMigrationTypeMismatch', nonRetryable: true });
      }
      return { replicator: 'dms', tables: [] };
    },

    /** Starts the task with the right start type; a task already running or starting is left alone. */
    async startDmsTask(input: DmsReplicationInput): Promise<ReplicationStart> {
      const task = await describeTask(input.replicator);
      const type = startTypeFor(task, input.replicator.reloadTarget);
      if (!type) return { action: `already ${task.Status}` };
      const command = new StartReplicationTaskCommand({ ReplicationTaskArn: input.replicator.taskArn, StartReplicationTaskType: type });
      await call(input.replicator, 'StartReplicationTask', (client) => client.send(command));
      return { action: type };
    },

    /** Task status, stop reason and stats, and per-table statistics, as replication progress. */
    async describeDmsTask(input: DmsReplicationInput & { syncPoint?: string }): Promise<ReplicationProgress> {
      const task = await describeTask(input.replicator);
      const tables = task.Status === 'ready' ? [] : await describeTables(input.replicator);
      return progressOfTask({ task, tables, mode: input.mode });
    },

    /** Stops the task unless it is already stopped (or never ran). */
    async stopDmsTask(input: DmsReplicationInput): Promise<{ action: string }> {
      const task = await describeTask(input.replicator);
      if (task.Status !== 'running' && task.Status !== 'starting') return { action: `already ${task.Status}` };
      await call(input.replicator, 'StopReplicationTask', (client) => client.send(new StopReplicationTaskCommand({ ReplicationTaskArn: input.replicator.taskArn })));
      return { action: 'stopped' };
    },
  };
}
