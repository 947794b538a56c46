import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Settings } from '../config/settings';

/** How many workers poll the task queue for workflow tasks right now (0 means runs will wait). */
export async function countPollers(input: { client: Client; settings: Settings }): Promise<number> {
  const { namespace, taskQueue } = input.settings.temporal;
  const response = await input.client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return response.pollers?.length ?? 0;
}
