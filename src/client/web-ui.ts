import type { Settings } from '../config/settings';

/** The Web UI page of one workflow run. */
export function webUiUrl(input: { settings: Settings; workflowId: string; runId?: string }): string {
  const { uiUrl, namespace } = input.settings.temporal;
  const base = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(input.workflowId)}`;
  return input.runId ? `${base}/${input.runId}/history` : base;
}
