import { readFileSync } from 'node:fs';

interface Dashboard {
  panels: { id: number; title: string; targets: { expr: string }[] }[];
  templating: { list: { name: string; query: unknown }[] };
}

export const DASHBOARD_FILE = 'ops/grafana/temporal-etl.json';

/** The dashboard as Grafana reads it (parsing fails the test on a syntax error). */
export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Every PromQL expression of the dashboard: panel targets and the metric of `label_values(metric, label)` variables. */
export function dashboardExpressions(dashboard: Dashboard): string[] {
  const variables = dashboard.templating.list
    .map((variable) => variable.query)
    .filter((query): query is string => typeof query === 'string' && query.includes('('))
    .map((query) => query.replace(/^label_values\(\s*([^,]+),[^)]*\)$/, '$1'));
  return [...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)), ...variables];
}

/**
 * The metric names a PromQL expression selects: label matchers, strings, ranges and `by (…)` lists removed,
 * identifiers followed by `(` are functions, Grafana's `$__range` is a variable; what is left are metric names.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/(?<![\w$.])([a-zA-Z_:][\w:]*)(\s*\()?/g)].filter((match) => !match[2]).map((match) => match[1] as string);
  return [...new Set(names.filter((name) => !['and', 'or', 'unless', 'bool', 'offset'].includes(name)))];
}
